/* Compiled fast paths of the X12 engine: segment cutting for the tokenizer, and the guide's
 * "fast yes" (is this transaction set provably clean?). Optional: every function here has a
 * pure-Python twin that gives the same results, and any doubt is answered with "not sure"
 * (None / False) so that the Python code decides and produces every finding.
 *
 * Texts are handled only when they are one-byte (Latin-1) strings, which is what the
 * tokenizer makes from bytes; anything else is left to Python. */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

/* --------------------------------------------------------------------- element checks */

enum { K_ANY, K_TEXT, K_CODE, K_DIGITS, K_DECIMAL, K_DATE, K_TIME };

#define MAX_RULE_POSITIONS 32
#define MAX_FIELDS 256

typedef struct {
    int kind;
    int mandatory;
    int not_used;
    Py_ssize_t lo, hi;
    PyObject *codes; /* a set or frozenset for K_CODE, else NULL */
} ElementSpec;

typedef struct {
    char kind; /* P R E C L */
    int count;
    int positions[MAX_RULE_POSITIONS];
} RuleSpec;

typedef struct {
    PyObject_HEAD
    Py_ssize_t n_elements;
    ElementSpec *elements;
    Py_ssize_t n_rules;
    RuleSpec *rules;
} SegmentCheck;

static PyTypeObject SegmentCheckType;

static int
all_space(const Py_UCS1 *v, Py_ssize_t len)
{
    /* str.isspace() of a non-empty one-byte string */
    for (Py_ssize_t i = 0; i < len; i++) {
        if (!Py_UNICODE_ISSPACE(v[i]))
            return 0;
    }
    return len > 0;
}

static int
all_digits(const Py_UCS1 *v, Py_ssize_t len)
{
    /* str.isdecimal() and str.isascii(): in Latin-1 only 0-9 are decimal */
    if (len == 0)
        return 0;
    for (Py_ssize_t i = 0; i < len; i++) {
        if (v[i] < '0' || v[i] > '9')
            return 0;
    }
    return 1;
}

static int
two(const Py_UCS1 *v)
{
    return (v[0] - '0') * 10 + (v[1] - '0');
}

static const int DAYS[13] = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

static int
valid_date(const Py_UCS1 *v, Py_ssize_t len)
{
    int year, month, day;
    if (!all_digits(v, len))
        return 0;
    if (len == 8) {
        year = two(v) * 100 + two(v + 2);
        month = two(v + 4);
        day = two(v + 6);
    }
    else if (len == 6) {
        year = 2000 + two(v);
        month = two(v + 2);
        day = two(v + 4);
    }
    else
        return 0;
    if (month < 1 || month > 12 || day < 1 || day > DAYS[month])
        return 0;
    if (month == 2 && day == 29) {
        int leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
        return leap;
    }
    return 1;
}

static int
valid_time(const Py_UCS1 *v, Py_ssize_t len)
{
    if (!all_digits(v, len) || !(len == 4 || len == 6 || len == 7 || len == 8))
        return 0;
    if (two(v) > 23 || two(v + 2) > 59)
        return 0;
    return !(len >= 6 && two(v + 4) > 59);
}

/* 1: the value passes its element's check, 0: it does not, -1: a Python error */
static int
check_value(const ElementSpec *spec, const Py_UCS1 *v, Py_ssize_t len)
{
    switch (spec->kind) {
    case K_ANY:
        return 1;
    case K_TEXT:
        return len <= spec->hi && len >= spec->lo;
    case K_DIGITS:
        return all_digits(v, len) && len <= spec->hi && len >= spec->lo;
    case K_DECIMAL: {
        /* the first '.' is not counted; a second one is not a digit */
        Py_ssize_t digits = 0;
        int dot = 0;
        for (Py_ssize_t i = 0; i < len; i++) {
            if (v[i] == '.' && !dot) {
                dot = 1;
                continue;
            }
            if (v[i] < '0' || v[i] > '9')
                return 0;
            digits++;
        }
        return digits > 0 && digits <= spec->hi && digits >= spec->lo;
    }
    case K_DATE:
        return len >= spec->lo && len <= spec->hi && valid_date(v, len);
    case K_TIME:
        return len >= spec->lo && len <= spec->hi && valid_time(v, len);
    case K_CODE: {
        PyObject *text = PyUnicode_DecodeLatin1((const char *)v, len, NULL);
        if (text == NULL)
            return -1;
        int found = PySet_Contains(spec->codes, text);
        Py_DECREF(text);
        return found;
    }
    }
    return 0;
}

/* One segment's text (tag first) against its definition: 1 clean, 0 not proven, -1 error.
 * Mirrors the checker that guide.py generates for the same segment. */
static int
check_segment(const SegmentCheck *sc, const Py_UCS1 *s, Py_ssize_t len, Py_UCS1 sep)
{
    Py_ssize_t starts[MAX_FIELDS], lens[MAX_FIELDS];
    Py_ssize_t n = 0, start = 0;
    const Py_UCS1 *end = s + len, *p = s;
    for (;;) {
        const Py_UCS1 *hit = memchr(p, sep, (size_t)(end - p));
        if (n >= MAX_FIELDS)
            return 0; /* more fields than we track: let Python decide */
        if (hit == NULL) {
            starts[n] = start;
            lens[n] = len - start;
            n++;
            break;
        }
        starts[n] = start;
        lens[n] = (hit - s) - start;
        n++;
        start = (hit - s) + 1;
        p = hit + 1;
    }
    Py_ssize_t defined = sc->n_elements + 1; /* the tag is field 0 */
    for (Py_ssize_t f = defined; f < n; f++) {
        if (lens[f] > 0 && !all_space(s + starts[f], lens[f]))
            return 0; /* real data beyond the defined elements */
    }
    for (Py_ssize_t i = 0; i < sc->n_elements; i++) {
        const ElementSpec *spec = &sc->elements[i];
        Py_ssize_t at = i + 1;
        const Py_UCS1 *v = at < n ? s + starts[at] : s;
        Py_ssize_t vlen = at < n ? lens[at] : 0;
        if (spec->mandatory) {
            if (vlen == 0 || (v[0] == ' ' && all_space(v, vlen)))
                return 0;
        }
        else if (vlen == 0)
            continue;
        if (spec->not_used)
            return 0;
        int ok = check_value(spec, v, vlen);
        if (ok <= 0)
            return ok;
    }
    for (Py_ssize_t r = 0; r < sc->n_rules; r++) {
        const RuleSpec *rule = &sc->rules[r];
        int present[MAX_RULE_POSITIONS];
        int count = 0;
        for (int k = 0; k < rule->count; k++) {
            int pos = rule->positions[k];
            int here = 0;
            if (pos < n) {
                const Py_UCS1 *v = s + starts[pos];
                Py_ssize_t vlen = lens[pos];
                here = vlen > 0 && (v[0] != ' ' || !all_space(v, vlen));
            }
            present[k] = here;
            count += here;
        }
        int bad = 0;
        switch (rule->kind) {
        case 'P':
            bad = count > 0 && count < rule->count;
            break;
        case 'R':
            bad = count == 0;
            break;
        case 'E':
            bad = count > 1;
            break;
        case 'C':
            bad = present[0] && count - 1 < rule->count - 1;
            break;
        case 'L':
            bad = present[0] && count == 1;
            break;
        default:
            bad = 1;
        }
        if (bad)
            return 0;
    }
    return 1;
}

static int
kind_of(PyObject *name)
{
    static const char *names[] = {"any", "text", "code", "digits", "decimal", "date", "time"};
    for (int k = 0; k < 7; k++) {
        if (PyUnicode_CompareWithASCIIString(name, names[k]) == 0)
            return k;
    }
    return -1;
}

static void
SegmentCheck_dealloc(SegmentCheck *self)
{
    if (self->elements != NULL) {
        for (Py_ssize_t i = 0; i < self->n_elements; i++)
            Py_XDECREF(self->elements[i].codes);
        PyMem_Free(self->elements);
    }
    PyMem_Free(self->rules);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* SegmentCheck(elements, rules): elements is a sequence of (kind, mandatory, not_used, lo, hi,
 * codes) and rules of (kind letter, positions), as CompiledGuide.segment_table() gives them. */
static PyObject *
SegmentCheck_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    PyObject *elements, *rules;
    static char *keywords[] = {"elements", "rules", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O!O!:SegmentCheck", keywords, &PyTuple_Type,
                                     &elements, &PyTuple_Type, &rules))
        return NULL;
    SegmentCheck *self = (SegmentCheck *)type->tp_alloc(type, 0);
    if (self == NULL)
        return NULL;
    Py_ssize_t ne = PyTuple_GET_SIZE(elements), nr = PyTuple_GET_SIZE(rules);
    if (ne + 1 > MAX_FIELDS) {
        PyErr_SetString(PyExc_ValueError, "too many elements in one segment");
        goto fail;
    }
    self->elements = PyMem_Calloc((size_t)(ne ? ne : 1), sizeof(ElementSpec));
    self->rules = PyMem_Calloc((size_t)(nr ? nr : 1), sizeof(RuleSpec));
    if (self->elements == NULL || self->rules == NULL) {
        PyErr_NoMemory();
        goto fail;
    }
    self->n_elements = ne;
    for (Py_ssize_t i = 0; i < ne; i++) {
        PyObject *kind, *codes;
        int mandatory, not_used;
        Py_ssize_t lo, hi;
        ElementSpec *spec = &self->elements[i];
        if (!PyArg_ParseTuple(PyTuple_GET_ITEM(elements, i), "UppnnO:element", &kind, &mandatory,
                              &not_used, &lo, &hi, &codes))
            goto fail;
        spec->kind = kind_of(kind);
        if (spec->kind < 0) {
            PyErr_Format(PyExc_ValueError, "unknown element kind %R", kind);
            goto fail;
        }
        spec->mandatory = mandatory;
        spec->not_used = not_used;
        spec->lo = lo;
        spec->hi = hi;
        if (spec->kind == K_CODE) {
            if (!PyAnySet_Check(codes)) {
                PyErr_SetString(PyExc_TypeError, "a code element needs a set of codes");
                goto fail;
            }
            Py_INCREF(codes);
            spec->codes = codes;
        }
    }
    self->n_rules = nr;
    for (Py_ssize_t r = 0; r < nr; r++) {
        const char *letter;
        PyObject *positions;
        RuleSpec *rule = &self->rules[r];
        if (!PyArg_ParseTuple(PyTuple_GET_ITEM(rules, r), "sO!:rule", &letter, &PyTuple_Type,
                              &positions))
            goto fail;
        Py_ssize_t count = PyTuple_GET_SIZE(positions);
        if (strlen(letter) != 1 || strchr("PRECL", letter[0]) == NULL || count < 2 ||
            count > MAX_RULE_POSITIONS) {
            PyErr_Format(PyExc_ValueError, "unsupported syntax rule %s", letter);
            goto fail;
        }
        rule->kind = letter[0];
        rule->count = (int)count;
        for (Py_ssize_t k = 0; k < count; k++) {
            long pos = PyLong_AsLong(PyTuple_GET_ITEM(positions, k));
            if (pos == -1 && PyErr_Occurred())
                goto fail;
            if (pos < 1 || pos >= MAX_FIELDS) {
                PyErr_SetString(PyExc_ValueError, "rule position out of range");
                goto fail;
            }
            rule->positions[k] = (int)pos;
        }
    }
    return (PyObject *)self;
fail:
    Py_DECREF(self);
    return NULL;
}

static PyObject *
SegmentCheck_call(SegmentCheck *self, PyObject *args, PyObject *kwargs)
{
    PyObject *text, *separator;
    static char *keywords[] = {"text", "separator", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "UU:check", keywords, &text, &separator))
        return NULL;
    if (PyUnicode_GET_LENGTH(separator) != 1 || PyUnicode_READ_CHAR(separator, 0) > 255 ||
        PyUnicode_KIND(text) != PyUnicode_1BYTE_KIND)
        Py_RETURN_NONE;
    int ok = check_segment(self, PyUnicode_1BYTE_DATA(text), PyUnicode_GET_LENGTH(text),
                           (Py_UCS1)PyUnicode_READ_CHAR(separator, 0));
    if (ok < 0)
        return NULL;
    return PyBool_FromLong(ok);
}

static PyTypeObject SegmentCheckType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "translators._accel.x12fast.SegmentCheck",
    .tp_basicsize = sizeof(SegmentCheck),
    .tp_dealloc = (destructor)SegmentCheck_dealloc,
    .tp_call = (ternaryfunc)SegmentCheck_call,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "One segment definition compiled for the fast clean check: "
              "SegmentCheck(elements, rules)(text, separator) -> bool, or None when unsure.",
    .tp_new = SegmentCheck_new,
};

/* --------------------------------------------------------------------- accepts */

static int
is_tag_char(Py_UCS1 ch)
{
    return (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
}

/* accepts(texts, separator, reserved, plans) -> True | False | None | str
 *
 * True: every segment of the set is provably clean under the plan for its tag sequence.
 * False: not proven (a reserved character such as a component separator is present, the
 * structure has findings, or an element fails its check): run the full validation.
 * None: this input is not for the compiled path (unusual tags or characters): ask Python.
 * str: the key of a tag sequence with no plan yet: store plans[key] and ask again.
 * A plan is a tuple of SegmentCheck (one per segment), () when the structure has findings,
 * or None when the segments cannot be checked here. */
static PyObject *
accepts(PyObject *module, PyObject *args)
{
    PyObject *texts, *separator, *reserved, *plans;
    if (!PyArg_ParseTuple(args, "O!UUO!:accepts", &PyList_Type, &texts, &separator, &reserved,
                          &PyDict_Type, &plans))
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(texts);
    if (n == 0 || PyUnicode_GET_LENGTH(separator) != 1 ||
        PyUnicode_READ_CHAR(separator, 0) > 255)
        Py_RETURN_NONE;
    Py_UCS1 sep = (Py_UCS1)PyUnicode_READ_CHAR(separator, 0);
    Py_UCS1 marks[8];
    int n_marks = 0;
    Py_ssize_t n_reserved = PyUnicode_GET_LENGTH(reserved);
    for (Py_ssize_t i = 0; i < n_reserved; i++) {
        Py_UCS4 ch = PyUnicode_READ_CHAR(reserved, i);
        if (ch <= 255 && n_marks < 8)
            marks[n_marks++] = (Py_UCS1)ch;
        else if (ch <= 255)
            Py_RETURN_NONE;
    }
    /* first pass: shapes, tags and the key's length */
    Py_ssize_t key_len = 0;
    int reserved_seen = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *text = PyList_GET_ITEM(texts, i);
        if (!PyUnicode_CheckExact(text) || PyUnicode_KIND(text) != PyUnicode_1BYTE_KIND)
            Py_RETURN_NONE;
        const Py_UCS1 *s = PyUnicode_1BYTE_DATA(text);
        Py_ssize_t len = PyUnicode_GET_LENGTH(text);
        const Py_UCS1 *hit = memchr(s, sep, (size_t)len);
        Py_ssize_t tag_len = hit ? hit - s : len;
        if (tag_len < 1 || tag_len > 3)
            Py_RETURN_NONE;
        for (Py_ssize_t k = 0; k < tag_len; k++) {
            if (!is_tag_char(s[k]))
                Py_RETURN_NONE;
        }
        for (int m = 0; m < n_marks && !reserved_seen; m++) {
            if (memchr(s, marks[m], (size_t)len) != NULL)
                reserved_seen = 1;
        }
        key_len += tag_len + 1;
    }
    if (reserved_seen)
        Py_RETURN_FALSE;
    /* the key: tags joined by blanks (tags never hold one, so the key is unambiguous) */
    PyObject *key = PyUnicode_New(key_len - 1, 127);
    if (key == NULL)
        return NULL;
    Py_UCS1 *out = PyUnicode_1BYTE_DATA(key);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *text = PyList_GET_ITEM(texts, i);
        const Py_UCS1 *s = PyUnicode_1BYTE_DATA(text);
        Py_ssize_t len = PyUnicode_GET_LENGTH(text);
        const Py_UCS1 *hit = memchr(s, sep, (size_t)len);
        Py_ssize_t tag_len = hit ? hit - s : len;
        if (i)
            *out++ = ' ';
        memcpy(out, s, (size_t)tag_len);
        out += tag_len;
    }
    PyObject *plan = PyDict_GetItemWithError(plans, key); /* borrowed */
    if (plan == NULL) {
        if (PyErr_Occurred()) {
            Py_DECREF(key);
            return NULL;
        }
        return key;
    }
    Py_DECREF(key);
    if (plan == Py_None)
        Py_RETURN_NONE;
    if (!PyTuple_CheckExact(plan)) {
        PyErr_SetString(PyExc_TypeError, "a plan is a tuple of SegmentCheck, () or None");
        return NULL;
    }
    if (PyTuple_GET_SIZE(plan) == 0)
        Py_RETURN_FALSE;
    if (PyTuple_GET_SIZE(plan) != n)
        Py_RETURN_NONE;
    Py_INCREF(plan); /* codes lookups below could, in theory, run code that edits `plans` */
    PyObject *result = Py_True;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *check = PyTuple_GET_ITEM(plan, i);
        if (Py_TYPE(check) != &SegmentCheckType) {
            PyErr_SetString(PyExc_TypeError, "a plan is a tuple of SegmentCheck, () or None");
            result = NULL;
            break;
        }
        PyObject *text = PyList_GET_ITEM(texts, i);
        int ok = check_segment((SegmentCheck *)check, PyUnicode_1BYTE_DATA(text),
                               PyUnicode_GET_LENGTH(text), sep);
        if (ok < 0) {
            result = NULL;
            break;
        }
        if (ok == 0) {
            result = Py_False;
            break;
        }
    }
    Py_DECREF(plan);
    Py_XINCREF(result);
    return result;
}

/* --------------------------------------------------------------------- cut */

static int
is_blank(Py_UCS1 ch)
{
    /* the tokenizer's _BLANKS: space, tab, CR, LF, NUL */
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == 0;
}

/* Segment heads (first three characters) recur endlessly: keep one string per head. */
#define HEAD_SLOTS 512
static PyObject *head_cache[HEAD_SLOTS];
static unsigned long head_keys[HEAD_SLOTS];

static PyObject *
head_of(const Py_UCS1 *s, Py_ssize_t len)
{
    Py_ssize_t n = len < 3 ? len : 3;
    unsigned long key = (unsigned long)n << 24;
    for (Py_ssize_t i = 0; i < n; i++)
        key |= (unsigned long)s[i] << (8 * i);
    unsigned slot = (unsigned)((key * 2654435761u) >> 7) % HEAD_SLOTS;
    if (head_cache[slot] != NULL && head_keys[slot] == key) {
        Py_INCREF(head_cache[slot]);
        return head_cache[slot];
    }
    PyObject *head = PyUnicode_DecodeLatin1((const char *)s, n, NULL);
    if (head == NULL)
        return NULL;
    Py_XSETREF(head_cache[slot], head);
    Py_INCREF(head);
    head_keys[slot] = key;
    return head;
}

/* cut(complete, offset, terminator, suffix, newline_terminator)
 *     -> (parts, offsets, heads) | None
 *
 * The regular case of the tokenizer's Tokenizer._cut, which it mirrors exactly: every
 * terminator is followed by the same `suffix` (or none is), no blank starts the first segment
 * or follows a terminator, no line break inside a segment, no empty segment. Anything else
 * gives None, and the Python code cuts the text one segment at a time. */
static PyObject *
cut(PyObject *module, PyObject *args)
{
    PyObject *complete, *term_obj, *suffix_obj;
    Py_ssize_t offset;
    int newline_term;
    if (!PyArg_ParseTuple(args, "UnUUp:cut", &complete, &offset, &term_obj, &suffix_obj,
                          &newline_term))
        return NULL;
    if (PyUnicode_KIND(complete) != PyUnicode_1BYTE_KIND ||
        PyUnicode_GET_LENGTH(term_obj) != 1 || PyUnicode_READ_CHAR(term_obj, 0) > 255 ||
        PyUnicode_GET_LENGTH(suffix_obj) > 2)
        Py_RETURN_NONE;
    Py_UCS1 term = (Py_UCS1)PyUnicode_READ_CHAR(term_obj, 0);
    Py_UCS1 suffix[2];
    Py_ssize_t suffix_len = PyUnicode_GET_LENGTH(suffix_obj);
    for (Py_ssize_t i = 0; i < suffix_len; i++) {
        Py_UCS4 ch = PyUnicode_READ_CHAR(suffix_obj, i);
        if (ch > 255)
            Py_RETURN_NONE;
        suffix[i] = (Py_UCS1)ch;
    }
    const Py_UCS1 *s = PyUnicode_1BYTE_DATA(complete);
    Py_ssize_t len = PyUnicode_GET_LENGTH(complete);
    Py_ssize_t joined_len = 1 + suffix_len;
    int joint_breaks = (term == '\n' || term == '\r');
    for (Py_ssize_t i = 0; i < suffix_len; i++)
        joint_breaks += (suffix[i] == '\n' || suffix[i] == '\r');
    if (suffix_len > 0 && memchr(suffix, term, (size_t)suffix_len) != NULL)
        Py_RETURN_NONE; /* a suffix holding the terminator: not a shape the tokenizer makes */

    /* the text without trailing blanks (Python's complete.rstrip(_BLANKS)) */
    Py_ssize_t stripped = len;
    while (stripped > 0 && is_blank(s[stripped - 1]))
        stripped--;

    /* pass 1: terminator positions, whether each is followed by the suffix */
    Py_ssize_t cap = 1024, n_terms = 0;
    Py_ssize_t *terms = PyMem_Malloc((size_t)cap * sizeof(Py_ssize_t));
    if (terms == NULL)
        return PyErr_NoMemory();
    int all_joined = suffix_len > 0;
    Py_ssize_t joined_in_stripped = 0;
    const Py_UCS1 *p = s, *end = s + len;
    PyObject *result = NULL;
    for (;;) {
        const Py_UCS1 *hit = memchr(p, term, (size_t)(end - p));
        if (hit == NULL)
            break;
        Py_ssize_t at = hit - s;
        if (n_terms == cap) {
            cap *= 2;
            Py_ssize_t *grown = PyMem_Realloc(terms, (size_t)cap * sizeof(Py_ssize_t));
            if (grown == NULL) {
                PyErr_NoMemory();
                goto done;
            }
            terms = grown;
        }
        terms[n_terms++] = at;
        int joined = at + joined_len <= len &&
                     (suffix_len == 0 || memcmp(s + at + 1, suffix, (size_t)suffix_len) == 0);
        if (!joined)
            all_joined = 0;
        else {
            if (at + joined_len < len &&
                (s[at + joined_len] == ' ' || s[at + joined_len] == '\t')) {
                result = Py_None; /* a blank after a terminator: indented text */
                goto done;
            }
            if (at + joined_len <= stripped)
                joined_in_stripped++;
        }
        p = hit + 1;
    }
    Py_ssize_t width = (all_joined && suffix_len > 0) ? joined_len : 1;

    /* line breaks must all belong to terminators (or trail the text) */
    if (newline_term) {
        if (memchr(s, '\r', (size_t)len) != NULL) {
            result = Py_None;
            goto done;
        }
    }
    else {
        Py_ssize_t breaks = 0;
        for (Py_ssize_t i = 0; i < stripped; i++)
            breaks += (s[i] == '\n' || s[i] == '\r');
        if (breaks != (width > 1 ? joined_in_stripped * joint_breaks : 0)) {
            result = Py_None;
            goto done;
        }
    }

    /* the pieces: between terminators (each followed by `width - 1` suffix characters) */
    Py_ssize_t n_parts = n_terms + 1;
    /* trailing pieces that are blank are dropped */
    while (n_parts > 0) {
        Py_ssize_t a = n_parts == 1 ? 0 : terms[n_parts - 2] + width;
        Py_ssize_t b = n_parts - 1 < n_terms ? terms[n_parts - 1] : len;
        int blank = 1;
        for (Py_ssize_t i = a; i < b && blank; i++)
            blank = is_blank(s[i]);
        if (!blank)
            break;
        n_parts--;
    }
    if (n_parts > 0 && is_blank(s[0])) {
        result = Py_None; /* a blank or an empty segment first */
        goto done;
    }
    PyObject *parts = PyList_New(n_parts);
    PyObject *offsets = PyList_New(n_parts);
    PyObject *heads = PyList_New(n_parts);
    if (parts == NULL || offsets == NULL || heads == NULL)
        goto fail_lists;
    for (Py_ssize_t k = 0; k < n_parts; k++) {
        Py_ssize_t a = k == 0 ? 0 : terms[k - 1] + width;
        Py_ssize_t b = k < n_terms ? terms[k] : len;
        if (b <= a) {
            /* an empty segment: the Python code decides what it is */
            Py_DECREF(parts);
            Py_DECREF(offsets);
            Py_DECREF(heads);
            result = Py_None;
            goto done;
        }
        PyObject *part = PyUnicode_DecodeLatin1((const char *)s + a, b - a, NULL);
        if (part == NULL)
            goto fail_lists;
        PyList_SET_ITEM(parts, k, part);
        PyObject *at = PyLong_FromSsize_t(offset + a);
        if (at == NULL)
            goto fail_lists;
        PyList_SET_ITEM(offsets, k, at);
        PyObject *head = head_of(s + a, b - a);
        if (head == NULL)
            goto fail_lists;
        PyList_SET_ITEM(heads, k, head);
    }
    result = PyTuple_Pack(3, parts, offsets, heads);
    Py_DECREF(parts);
    Py_DECREF(offsets);
    Py_DECREF(heads);
    PyMem_Free(terms);
    return result;
fail_lists:
    Py_XDECREF(parts);
    Py_XDECREF(offsets);
    Py_XDECREF(heads);
    PyMem_Free(terms);
    return NULL;
done:
    PyMem_Free(terms);
    Py_XINCREF(result);
    return result;
}

/* --------------------------------------------------------------------- envelope fields */

/* Element n (1-based after the tag) of a segment as the envelope reads it: its first
 * component, then its first repetition, stripped of whitespace (str.strip()); "" when the
 * segment has fewer elements. Mirrors _envelope._plain. */
static PyObject *
plain(const Py_UCS1 *s, Py_ssize_t len, Py_UCS1 sep, Py_UCS1 comp, int has_rep, Py_UCS1 rep,
      int n)
{
    Py_ssize_t a = 0;
    for (int k = 0; k < n; k++) {
        const Py_UCS1 *hit = memchr(s + a, sep, (size_t)(len - a));
        if (hit == NULL)
            return PyUnicode_New(0, 0);
        a = hit - s + 1;
    }
    const Py_UCS1 *hit = memchr(s + a, sep, (size_t)(len - a));
    Py_ssize_t b = hit ? hit - s : len;
    hit = memchr(s + a, comp, (size_t)(b - a));
    if (hit)
        b = hit - s;
    if (has_rep) {
        hit = memchr(s + a, rep, (size_t)(b - a));
        if (hit)
            b = hit - s;
    }
    while (a < b && Py_UNICODE_ISSPACE(s[a]))
        a++;
    while (b > a && Py_UNICODE_ISSPACE(s[b - 1]))
        b--;
    return PyUnicode_DecodeLatin1((const char *)s + a, b - a, NULL);
}

static int
one_char(PyObject *text, Py_UCS1 *out)
{
    if (PyUnicode_GET_LENGTH(text) != 1 || PyUnicode_READ_CHAR(text, 0) > 255)
        return 0;
    *out = (Py_UCS1)PyUnicode_READ_CHAR(text, 0);
    return 1;
}

/* envelope_fields(st, se, element, component, repetition)
 *     -> (ST-01, ST-02, SE-01, SE-02) | None
 * as _envelope._plain reads them; None when a text or delimiter is not one-byte. */
static PyObject *
envelope_fields(PyObject *module, PyObject *args)
{
    PyObject *st, *se, *sep_obj, *comp_obj, *rep_obj;
    if (!PyArg_ParseTuple(args, "UUUUU:envelope_fields", &st, &se, &sep_obj, &comp_obj,
                          &rep_obj))
        return NULL;
    Py_UCS1 sep, comp, rep = 0;
    int has_rep = PyUnicode_GET_LENGTH(rep_obj) > 0;
    if (PyUnicode_KIND(st) != PyUnicode_1BYTE_KIND || PyUnicode_KIND(se) != PyUnicode_1BYTE_KIND ||
        !one_char(sep_obj, &sep) || !one_char(comp_obj, &comp) ||
        (has_rep && !one_char(rep_obj, &rep)))
        Py_RETURN_NONE;
    PyObject *out = PyTuple_New(4);
    if (out == NULL)
        return NULL;
    for (int k = 0; k < 4; k++) {
        PyObject *text = k < 2 ? st : se;
        PyObject *value = plain(PyUnicode_1BYTE_DATA(text), PyUnicode_GET_LENGTH(text), sep,
                                comp, has_rep, rep, k % 2 + 1);
        if (value == NULL) {
            Py_DECREF(out);
            return NULL;
        }
        PyTuple_SET_ITEM(out, k, value);
    }
    return out;
}

/* --------------------------------------------------------------------- set spans */

static int
same_text(PyObject *a, PyObject *b)
{
    if (a == b)
        return 1;
    if (!PyUnicode_Check(a) || !PyUnicode_Check(b))
        return 0;
    return PyUnicode_Compare(a, b) == 0 ? 1 : (PyErr_Occurred() ? -1 : 0);
}

/* set_ends(heads, start, st_head, se_head, boundary) -> [end, ...]
 *
 * The envelope's hot loop, for a run of plain transaction sets: from heads[start] (an ST),
 * the index of each SE that closes a set with nothing but body segments between, as long as
 * the next set starts right after it. Stops at the first set that is not that simple (an
 * envelope segment inside, no SE in this batch), which the Python loop then handles. */
static PyObject *
set_ends(PyObject *module, PyObject *args)
{
    PyObject *heads, *st_head, *se_head, *boundary;
    Py_ssize_t start;
    if (!PyArg_ParseTuple(args, "O!nUUO!:set_ends", &PyList_Type, &heads, &start, &st_head,
                          &se_head, &PyFrozenSet_Type, &boundary))
        return NULL;
    PyObject *ends = PyList_New(0);
    if (ends == NULL)
        return NULL;
    Py_ssize_t k = start;
    while (k >= 0 && k < PyList_GET_SIZE(heads)) {
        int is_st = same_text(PyList_GET_ITEM(heads, k), st_head);
        if (is_st < 0)
            goto fail;
        if (!is_st)
            break;
        Py_ssize_t j = k + 1, found = -1;
        for (; j < PyList_GET_SIZE(heads); j++) {
            PyObject *head = PyList_GET_ITEM(heads, j);
            int is_se = same_text(head, se_head);
            if (is_se < 0)
                goto fail;
            if (is_se) {
                found = j;
                break;
            }
            int inside = PySet_Contains(boundary, head);
            if (inside < 0)
                goto fail;
            if (inside)
                break;
        }
        if (found < 0)
            break;
        PyObject *end = PyLong_FromSsize_t(found);
        if (end == NULL)
            goto fail;
        int appended = PyList_Append(ends, end);
        Py_DECREF(end);
        if (appended < 0)
            goto fail;
        k = found + 1;
    }
    return ends;
fail:
    Py_DECREF(ends);
    return NULL;
}

/* --------------------------------------------------------------------- module */

static PyMethodDef methods[] = {
    {"accepts", accepts, METH_VARARGS,
     "accepts(texts, separator, reserved, plans) -> True | False | None | str (see the C "
     "source): the compiled fast yes of a transaction set."},
    {"cut", cut, METH_VARARGS,
     "cut(complete, offset, terminator, suffix, newline_terminator) -> (parts, offsets, heads) "
     "| None: the regular case of the X12 tokenizer's segment cut."},
    {"envelope_fields", envelope_fields, METH_VARARGS,
     "envelope_fields(st, se, element, component, repetition) -> (ST-01, ST-02, SE-01, SE-02) "
     "| None: the envelope's reading of a transaction set's header and trailer."},
    {"set_ends", set_ends, METH_VARARGS,
     "set_ends(heads, start, st_head, se_head, boundary) -> [end, ...]: where each of a run "
     "of plain transaction sets ends (see the C source)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "translators._accel.x12fast",
    .m_doc = "Compiled fast paths of the X12 engine (optional; pure-Python twins exist).",
    .m_size = -1,
    .m_methods = methods,
};

PyMODINIT_FUNC
PyInit_x12fast(void)
{
    if (PyType_Ready(&SegmentCheckType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&module);
    if (m == NULL)
        return NULL;
    Py_INCREF(&SegmentCheckType);
    if (PyModule_AddObject(m, "SegmentCheck", (PyObject *)&SegmentCheckType) < 0) {
        Py_DECREF(&SegmentCheckType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
