/* Optional compiled speed-up for the EDIFACT lexer (translators.edifact.tokenizer): the
 * whole-block split of the common "uniform" case, where every unreleased terminator is followed
 * by the same line end. It only returns tokens; every finding (release notes, UNA, counts) is
 * still made by the Python code, which also handles every segment holding a release character.
 *
 * split_block(chunk, base, separator, element, component, release, delimiters)
 *   -> (lexemes, marks, released, tail)
 * lexemes:  [(tag, text, offset, None, delimiters), ...] one per piece of chunk.split(separator)
 *           but the last; offset = base + index of the piece in chunk.
 * marks:    indices of pieces whose tag is an envelope tag (UNB UNG UNH UNT UNE UNZ).
 * released: indices of pieces that contain the release character (Python re-lexes them).
 * tail:     the text after the last separator.
 * The tag is the text up to the first element or component separator, exactly
 * piece.partition(element)[0].partition(component)[0].
 *
 * unproven(raw, specs, element, component, forbidden) -> [positions]
 * The 1-based positions of a message's segments that the compiled clean check cannot vouch
 * for; the Python checker (regular expression, then the guide compiler) looks at those. A
 * segment is proven clean only when its text (no release character) fits its spec, built by
 * translators.edifact.fastcheck.segment_spec from the same guide data as the Python pattern and
 * never looser than it. Anything unexpected means "not proven", never an error finding.
 *
 * Lexeme tuples hold only strings, an int, None and the delimiters tuple (strings and None), so
 * they can never be part of a reference cycle: they are untracked by the cyclic GC, as CPython
 * itself does for such tuples on their first collection. That spares the collector from walking
 * millions of them (the reason the engine once had to pause the GC). */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

#define TAG_CACHE_SIZE 512 /* power of two */
#define TAG_MAX 8

typedef struct {
    Py_ssize_t length;
    unsigned char bytes[TAG_MAX];
    PyObject *tag; /* owned */
} TagEntry;

static TagEntry tag_cache[TAG_CACHE_SIZE];

/* A tag string for a short 1-byte-kind tag, shared between segments (tags repeat a lot). */
static PyObject *
cached_tag(const unsigned char *data, Py_ssize_t length)
{
    if (length > TAG_MAX) {
        return PyUnicode_FromKindAndData(PyUnicode_1BYTE_KIND, data, length);
    }
    unsigned int hash = 2166136261u;
    for (Py_ssize_t i = 0; i < length; i++) {
        hash = (hash ^ data[i]) * 16777619u;
    }
    hash ^= (unsigned int)length;
    TagEntry *entry = &tag_cache[hash & (TAG_CACHE_SIZE - 1)];
    if (entry->tag != NULL && entry->length == length && memcmp(entry->bytes, data, length) == 0) {
        Py_INCREF(entry->tag);
        return entry->tag;
    }
    PyObject *tag = PyUnicode_FromKindAndData(PyUnicode_1BYTE_KIND, data, length);
    if (tag == NULL) {
        return NULL;
    }
    Py_XDECREF(entry->tag);
    entry->length = length;
    memcpy(entry->bytes, data, length);
    Py_INCREF(tag);
    entry->tag = tag;
    return tag;
}

static int
is_envelope_tag(PyObject *tag)
{
    if (PyUnicode_GET_LENGTH(tag) != 3) {
        return 0;
    }
    int kind = PyUnicode_KIND(tag);
    const void *data = PyUnicode_DATA(tag);
    if (PyUnicode_READ(kind, data, 0) != 'U' || PyUnicode_READ(kind, data, 1) != 'N') {
        return 0;
    }
    Py_UCS4 last = PyUnicode_READ(kind, data, 2);
    return last == 'B' || last == 'G' || last == 'H' || last == 'T' || last == 'E' || last == 'Z';
}

/* A one-character string argument as a code point; -1 for None (no such character). */
static int
one_char(PyObject *value, const char *name, Py_UCS4 *out, int allow_none)
{
    if (value == Py_None && allow_none) {
        *out = (Py_UCS4)-1;
        return 0;
    }
    if (!PyUnicode_Check(value) || PyUnicode_GET_LENGTH(value) != 1) {
        PyErr_Format(PyExc_TypeError, "%s must be a one-character str", name);
        return -1;
    }
    *out = PyUnicode_READ_CHAR(value, 0);
    return 0;
}

/* True when every item of the delimiters tuple is a str or None (so lexemes cannot be in a
 * reference cycle and may be untracked). */
static int
atomic_tuple(PyObject *value)
{
    if (!PyTuple_Check(value)) {
        return 0;
    }
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(value); i++) {
        PyObject *item = PyTuple_GET_ITEM(value, i);
        if (item != Py_None && !PyUnicode_CheckExact(item)) {
            return 0;
        }
    }
    return 1;
}

static PyObject *
split_block(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 7) {
        PyErr_SetString(PyExc_TypeError, "split_block takes 7 arguments");
        return NULL;
    }
    PyObject *chunk = args[0];
    PyObject *separator = args[2];
    PyObject *delimiters = args[6];
    if (!PyUnicode_Check(chunk) || !PyUnicode_Check(separator)) {
        PyErr_SetString(PyExc_TypeError, "chunk and separator must be str");
        return NULL;
    }
    Py_ssize_t base = PyLong_AsSsize_t(args[1]);
    if (base == -1 && PyErr_Occurred()) {
        return NULL;
    }
    Py_UCS4 element, component, release;
    if (one_char(args[3], "element", &element, 0) < 0 ||
        one_char(args[4], "component", &component, 0) < 0 ||
        one_char(args[5], "release", &release, 1) < 0) {
        return NULL;
    }
    Py_ssize_t sep_len = PyUnicode_GET_LENGTH(separator);
    if (sep_len < 1 || sep_len > 4) {
        PyErr_SetString(PyExc_ValueError, "separator must be 1 to 4 characters");
        return NULL;
    }
    Py_UCS4 sep[4];
    for (Py_ssize_t j = 0; j < sep_len; j++) {
        sep[j] = PyUnicode_READ_CHAR(separator, j);
    }
    int untrack = atomic_tuple(delimiters);
    int kind = PyUnicode_KIND(chunk);
    const void *data = PyUnicode_DATA(chunk);
    const unsigned char *bytes = kind == PyUnicode_1BYTE_KIND ? (const unsigned char *)data : NULL;
    Py_ssize_t n = PyUnicode_GET_LENGTH(chunk);

    PyObject *lexemes = PyList_New(0);
    PyObject *marks = PyList_New(0);
    PyObject *released = PyList_New(0);
    PyObject *offset_obj = NULL;
    if (lexemes == NULL || marks == NULL || released == NULL) {
        goto fail;
    }
    Py_ssize_t start = 0;
    Py_ssize_t index = 0;
    Py_ssize_t count = 0;
    while (index + sep_len <= n) {
        /* find the next separator */
        Py_ssize_t at;
        if (bytes != NULL && sep[0] < 256) {
            const unsigned char *hit =
                memchr(bytes + index, (int)sep[0], (size_t)(n - sep_len + 1 - index));
            if (hit == NULL) {
                break;
            }
            at = hit - bytes;
        }
        else {
            at = index;
            while (at + sep_len <= n && PyUnicode_READ(kind, data, at) != sep[0]) {
                at++;
            }
            if (at + sep_len > n) {
                break;
            }
        }
        int match = 1;
        for (Py_ssize_t j = 1; j < sep_len; j++) {
            if (PyUnicode_READ(kind, data, at + j) != sep[j]) {
                match = 0;
                break;
            }
        }
        if (!match) {
            index = at + 1;
            continue;
        }
        /* piece = chunk[start:at] */
        Py_ssize_t tag_end = start;
        int has_release = 0;
        while (tag_end < at) {
            Py_UCS4 ch = PyUnicode_READ(kind, data, tag_end);
            if (ch == element || ch == component) {
                break;
            }
            tag_end++;
        }
        if (release != (Py_UCS4)-1) {
            if (bytes != NULL) {
                has_release = release < 256 &&
                              memchr(bytes + start, (int)release, (size_t)(at - start)) != NULL;
            }
            else {
                for (Py_ssize_t j = start; j < at; j++) {
                    if (PyUnicode_READ(kind, data, j) == release) {
                        has_release = 1;
                        break;
                    }
                }
            }
        }
        PyObject *tag = bytes != NULL ? cached_tag(bytes + start, tag_end - start)
                                      : PyUnicode_Substring(chunk, start, tag_end);
        if (tag == NULL) {
            goto fail;
        }
        PyObject *text = PyUnicode_Substring(chunk, start, at);
        if (text == NULL) {
            Py_DECREF(tag);
            goto fail;
        }
        offset_obj = PyLong_FromSsize_t(base + start);
        if (offset_obj == NULL) {
            Py_DECREF(tag);
            Py_DECREF(text);
            goto fail;
        }
        int envelope = is_envelope_tag(tag);
        PyObject *lexeme = PyTuple_New(5);
        if (lexeme == NULL) {
            Py_DECREF(tag);
            Py_DECREF(text);
            goto fail;
        }
        PyTuple_SET_ITEM(lexeme, 0, tag);
        PyTuple_SET_ITEM(lexeme, 1, text);
        PyTuple_SET_ITEM(lexeme, 2, offset_obj);
        offset_obj = NULL;
        Py_INCREF(Py_None);
        PyTuple_SET_ITEM(lexeme, 3, Py_None);
        Py_INCREF(delimiters);
        PyTuple_SET_ITEM(lexeme, 4, delimiters);
        if (untrack) {
            PyObject_GC_UnTrack(lexeme);
        }
        if (PyList_Append(lexemes, lexeme) < 0) {
            Py_DECREF(lexeme);
            goto fail;
        }
        Py_DECREF(lexeme);
        if (envelope || has_release) {
            PyObject *position = PyLong_FromSsize_t(count);
            if (position == NULL) {
                goto fail;
            }
            if ((envelope && PyList_Append(marks, position) < 0) ||
                (has_release && PyList_Append(released, position) < 0)) {
                Py_DECREF(position);
                goto fail;
            }
            Py_DECREF(position);
        }
        count++;
        start = index = at + sep_len;
    }
    PyObject *tail = PyUnicode_Substring(chunk, start, n);
    if (tail == NULL) {
        goto fail;
    }
    PyObject *result = PyTuple_New(4);
    if (result == NULL) {
        Py_DECREF(tail);
        goto fail;
    }
    PyTuple_SET_ITEM(result, 0, lexemes);
    PyTuple_SET_ITEM(result, 1, marks);
    PyTuple_SET_ITEM(result, 2, released);
    PyTuple_SET_ITEM(result, 3, tail);
    return result;

fail:
    Py_XDECREF(offset_obj);
    Py_XDECREF(lexemes);
    Py_XDECREF(marks);
    Py_XDECREF(released);
    return NULL;
}

/* ---- segments with release characters ------------------------------------------------ */

/* components -> one value: the string itself when there is one component, else a tuple */
static PyObject *
collapse_components(PyObject *components)
{
    if (PyList_GET_SIZE(components) == 1) {
        PyObject *only = PyList_GET_ITEM(components, 0);
        Py_INCREF(only);
        return only;
    }
    return PyList_AsTuple(components);
}

/* repeats -> one element value: the value itself when there is one, else the list */
static PyObject *
collapse_repeats(PyObject *repeats)
{
    if (PyList_GET_SIZE(repeats) == 1) {
        PyObject *only = PyList_GET_ITEM(repeats, 0);
        Py_INCREF(only);
        return only;
    }
    Py_INCREF(repeats);
    return repeats;
}

typedef struct {
    Py_UCS4 *data;
    Py_ssize_t length, capacity;
} Buffer;

static int
buffer_push(Buffer *buffer, Py_UCS4 ch)
{
    if (buffer->length == buffer->capacity) {
        Py_ssize_t capacity = buffer->capacity ? buffer->capacity * 2 : 64;
        Py_UCS4 *data = PyMem_Realloc(buffer->data, capacity * sizeof(Py_UCS4));
        if (data == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        buffer->data = data;
        buffer->capacity = capacity;
    }
    buffer->data[buffer->length++] = ch;
    return 0;
}

/* Close the current component: append it to `components` and empty the buffer. */
static int
end_component(Buffer *buffer, PyObject *components)
{
    PyObject *value = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, buffer->data,
                                                buffer->length);
    if (value == NULL) {
        return -1;
    }
    buffer->length = 0;
    int failed = PyList_Append(components, value);
    Py_DECREF(value);
    return failed;
}

/* Move `components` into `repeats` as one value and start a new components list. */
static int
end_repeat(PyObject **components, PyObject *repeats)
{
    PyObject *value = collapse_components(*components);
    if (value == NULL) {
        return -1;
    }
    int failed = PyList_Append(repeats, value);
    Py_DECREF(value);
    if (failed) {
        return -1;
    }
    Py_DECREF(*components);
    *components = PyList_New(0);
    return *components == NULL ? -1 : 0;
}

static int
end_element(PyObject **repeats, PyObject *elements)
{
    PyObject *value = collapse_repeats(*repeats);
    if (value == NULL) {
        return -1;
    }
    int failed = PyList_Append(elements, value);
    Py_DECREF(value);
    if (failed) {
        return -1;
    }
    Py_DECREF(*repeats);
    *repeats = PyList_New(0);
    return *repeats == NULL ? -1 : 0;
}

/* split_released(text, element, component, repetition, release, terminator)
 *   -> (tag, elements, ordinary)
 * The tokens of a segment text that holds the release character, exactly as the Python
 * lexer's `_split_released` makes them; `ordinary` lists, in order, each release character
 * pair whose second character is not a service character (the Python code notes those). */
static PyObject *
split_released(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 6 || !PyUnicode_Check(args[0])) {
        PyErr_SetString(PyExc_TypeError, "split_released(text, e, c, repetition, release, t)");
        return NULL;
    }
    PyObject *text = args[0];
    Py_UCS4 element, component, repetition, release, terminator;
    if (one_char(args[1], "element", &element, 0) < 0 ||
        one_char(args[2], "component", &component, 0) < 0 ||
        one_char(args[3], "repetition", &repetition, 1) < 0 ||
        one_char(args[4], "release", &release, 0) < 0 ||
        one_char(args[5], "terminator", &terminator, 0) < 0) {
        return NULL;
    }
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t size = PyUnicode_GET_LENGTH(text);
    Buffer buffer = {NULL, 0, 0};
    PyObject *elements = PyList_New(0), *repeats = PyList_New(0), *components = PyList_New(0);
    PyObject *ordinary = PyList_New(0);
    PyObject *result = NULL;
    if (elements == NULL || repeats == NULL || components == NULL || ordinary == NULL) {
        goto done;
    }
    Py_ssize_t index = 0;
    while (index < size) {
        Py_UCS4 ch = PyUnicode_READ(kind, data, index);
        if (ch == release) {
            if (index + 1 < size) {
                Py_UCS4 literal = PyUnicode_READ(kind, data, index + 1);
                int special = literal == component || literal == element ||
                              literal == terminator || literal == release ||
                              (repetition != (Py_UCS4)-1 && literal == repetition);
                if (!special) {
                    PyObject *pair = PyUnicode_Substring(text, index, index + 2);
                    if (pair == NULL || PyList_Append(ordinary, pair) < 0) {
                        Py_XDECREF(pair);
                        goto done;
                    }
                    Py_DECREF(pair);
                }
                if (buffer_push(&buffer, literal) < 0) {
                    goto done;
                }
                index += 2;
                continue;
            }
            if (buffer_push(&buffer, ch) < 0) { /* a lone release at the very end: data */
                goto done;
            }
            index += 1;
            continue;
        }
        if (ch == element || ch == component ||
            (repetition != (Py_UCS4)-1 && ch == repetition)) {
            if (end_component(&buffer, components) < 0) {
                goto done;
            }
            if (ch != component) {
                if (end_repeat(&components, repeats) < 0) {
                    goto done;
                }
                if (ch == element && end_element(&repeats, elements) < 0) {
                    goto done;
                }
            }
            index += 1;
            continue;
        }
        if (buffer_push(&buffer, ch) < 0) {
            goto done;
        }
        index += 1;
    }
    if (end_component(&buffer, components) < 0 || end_repeat(&components, repeats) < 0 ||
        end_element(&repeats, elements) < 0) {
        goto done;
    }
    /* the first element is the tag (its first repeat, first component) */
    PyObject *head = PyList_GET_ITEM(elements, 0);
    Py_INCREF(head);
    if (PyList_SetSlice(elements, 0, 1, NULL) < 0) {
        Py_DECREF(head);
        goto done;
    }
    PyObject *tag = head;
    if (PyList_Check(tag)) {
        tag = PyList_GET_ITEM(tag, 0);
    }
    if (PyTuple_Check(tag)) {
        tag = PyTuple_GET_ITEM(tag, 0);
    }
    result = PyTuple_Pack(3, tag, elements, ordinary);
    Py_DECREF(head);

done:
    PyMem_Free(buffer.data);
    Py_XDECREF(elements);
    Py_XDECREF(repeats);
    Py_XDECREF(components);
    Py_XDECREF(ordinary);
    return result;
}

/* ---- the uniform-block test ----------------------------------------------------------- */

/* uniform_line_end(chunk, terminator, release) -> "", "\n", "\r\n" or None
 * Exactly the Python `_uniform_line_end`, counted in one pass. */
static PyObject *
uniform_line_end(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3 || !PyUnicode_Check(args[0])) {
        PyErr_SetString(PyExc_TypeError, "uniform_line_end(chunk, terminator, release)");
        return NULL;
    }
    PyObject *chunk = args[0];
    Py_UCS4 t, r;
    if (one_char(args[1], "terminator", &t, 0) < 0 || one_char(args[2], "release", &r, 1) < 0) {
        return NULL;
    }
    int kind = PyUnicode_KIND(chunk);
    const void *data = PyUnicode_DATA(chunk);
    Py_ssize_t n = PyUnicode_GET_LENGTH(chunk);
    int has_release = r != (Py_UCS4)-1;
    Py_ssize_t count = 0, lf = 0, cr = 0, released = 0, t_lf = 0, t_crlf = 0;
    int double_t = 0, double_r = 0, r_t_break = 0, nul = 0;
    /* t + line end + X for X in blank, tab, t; per line end "", "\n", "\r\n" */
    int follow[3] = {0, 0, 0};
#define COUNT_LOOP \
    for (Py_ssize_t i = 0; i < n; i++) { \
        Py_UCS4 ch = AT(i); \
        Py_UCS4 next = i + 1 < n ? AT(i + 1) : (Py_UCS4)-1; \
        if (ch == '\n') { \
            lf++; \
        } \
        else if (ch == '\r') { \
            cr++; \
        } \
        else if (ch == 0) { \
            nul = 1; \
        } \
        if (ch == t) { \
            count++; \
            if (next == t) { \
                double_t = 1; \
            } \
            if (next == ' ' || next == '\t' || next == t) { \
                follow[0] = 1; \
            } \
            if (next == '\n') { \
                t_lf++; \
                Py_UCS4 after = i + 2 < n ? AT(i + 2) : (Py_UCS4)-1; \
                if (after == ' ' || after == '\t' || after == t) { \
                    follow[1] = 1; \
                } \
            } \
            else if (next == '\r' && i + 2 < n && AT(i + 2) == '\n') { \
                t_crlf++; \
                Py_UCS4 after = i + 3 < n ? AT(i + 3) : (Py_UCS4)-1; \
                if (after == ' ' || after == '\t' || after == t) { \
                    follow[2] = 1; \
                } \
            } \
        } \
        if (has_release && ch == r) { \
            if (next == r) { \
                double_r = 1; \
            } \
            else if (next == t) { \
                released++; \
                Py_UCS4 after = i + 2 < n ? AT(i + 2) : (Py_UCS4)-1; \
                if (after == '\n' || after == '\r') { \
                    r_t_break = 1; \
                } \
            } \
        } \
    }
    if (kind == PyUnicode_1BYTE_KIND) {
#define AT(i) ((Py_UCS4)((const Py_UCS1 *)data)[i])
        COUNT_LOOP
#undef AT
    }
    else if (kind == PyUnicode_2BYTE_KIND) {
#define AT(i) ((Py_UCS4)((const Py_UCS2 *)data)[i])
        COUNT_LOOP
#undef AT
    }
    else {
#define AT(i) ((Py_UCS4)((const Py_UCS4 *)data)[i])
        COUNT_LOOP
#undef AT
    }
#undef COUNT_LOOP
    /* the Python test: "t + t in chunk" and the release checks, in its order */
    if (double_t) {
        Py_RETURN_NONE;
    }
    if (released && (double_r || r_t_break)) {
        Py_RETURN_NONE;
    }
    if (n == 0) {
        Py_RETURN_NONE;
    }
    Py_UCS4 first = PyUnicode_READ(kind, data, 0);
    if (first == ' ' || first == '\t' || first == 0 || first == '\r' || first == '\n' ||
        first == t || nul) {
        Py_RETURN_NONE;
    }
    int which;
    if (!lf) {
        if (cr || released) {
            Py_RETURN_NONE;
        }
        which = 0;
    }
    else if (t_lf == count - released && count - released == lf && !cr) {
        which = 1;
    }
    else if (t_crlf == count - released && count - released == lf && lf == cr) {
        which = 2;
    }
    else {
        Py_RETURN_NONE;
    }
    if (follow[which]) {
        Py_RETURN_NONE;
    }
    static const char *ends[3] = {"", "\n", "\r\n"};
    return PyUnicode_FromString(ends[which]);
}

/* ---- the clean check ------------------------------------------------------------------ */

enum { KIND_TEXT = 0, KIND_ALPHA = 1, KIND_NUM = 2, KIND_CODE = 3, KIND_UNUSED = 4,
       KIND_COMPOSITE = 5 };

typedef struct {
    int kind;
    const void *data;
    Py_UCS4 element, component;
    Py_UCS4 forbidden[2]; /* characters a value may not hold (repetition, release) */
    int forbidden_count;
    PyObject *text;
} Scan;

static int
forbidden_char(const Scan *scan, Py_UCS4 ch)
{
    for (int i = 0; i < scan->forbidden_count; i++) {
        if (scan->forbidden[i] == ch) {
            return 1;
        }
    }
    return 0;
}

static int
is_digit(Py_UCS4 ch)
{
    return ch >= '0' && ch <= '9';
}

/* Read an int field of a spec tuple; -1 on a malformed spec (treated as "not proven"). */
static long
spec_long(PyObject *spec, Py_ssize_t index)
{
    PyObject *item = PyTuple_GET_ITEM(spec, index);
    if (!PyLong_Check(item)) {
        return -1;
    }
    return PyLong_AsLong(item);
}

/* Does the non-empty value [start, stop) certainly pass the value spec
 * (mandatory, kind, lo, hi, codes, ...)?  1 yes, 0 no, -1 error. */
static int
value_clean(const Scan *scan, Py_ssize_t start, Py_ssize_t stop, PyObject *spec, int simple)
{
    long mandatory = spec_long(spec, 0), kind = spec_long(spec, 1);
    long lo = spec_long(spec, 2), hi = spec_long(spec, 3);
    Py_ssize_t length = stop - start;
    int all_digits = 1;
    for (Py_ssize_t i = start; i < stop; i++) {
        Py_UCS4 ch = PyUnicode_READ(scan->kind, scan->data, i);
        if ((simple && ch == scan->component) || forbidden_char(scan, ch)) {
            return 0;
        }
        if (!is_digit(ch)) {
            all_digits = 0;
        }
        else if (kind == KIND_ALPHA) {
            return 0; /* `a` holds no digit */
        }
    }
    switch (kind) {
    case KIND_CODE: {
        PyObject *codes = PyTuple_GET_ITEM(spec, 4);
        if (PyTuple_Check(codes) && scan->kind == PyUnicode_1BYTE_KIND) {
            /* a short list: compare in place, no string made */
            const Py_UCS1 *value = (const Py_UCS1 *)scan->data + start;
            for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(codes); i++) {
                PyObject *code = PyTuple_GET_ITEM(codes, i);
                if (PyUnicode_Check(code) && PyUnicode_GET_LENGTH(code) == length &&
                    PyUnicode_KIND(code) == PyUnicode_1BYTE_KIND &&
                    memcmp(PyUnicode_DATA(code), value, (size_t)length) == 0) {
                    return 1;
                }
            }
            return 0;
        }
        if (PyTuple_Check(codes)) {
            for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(codes); i++) {
                PyObject *code = PyTuple_GET_ITEM(codes, i);
                if (!PyUnicode_Check(code) || PyUnicode_GET_LENGTH(code) != length) {
                    continue;
                }
                int kind = PyUnicode_KIND(code);
                const void *data = PyUnicode_DATA(code);
                Py_ssize_t j = 0;
                while (j < length && PyUnicode_READ(kind, data, j) ==
                                         PyUnicode_READ(scan->kind, scan->data, start + j)) {
                    j++;
                }
                if (j == length) {
                    return 1;
                }
            }
            return 0;
        }
        if (!PyAnySet_Check(codes)) {
            return 0;
        }
        PyObject *value = PyUnicode_Substring(scan->text, start, stop);
        if (value == NULL) {
            return -1;
        }
        int found = PySet_Contains(codes, value);
        Py_DECREF(value);
        return found;
    }
    case KIND_TEXT:
    case KIND_ALPHA:
        if (length < lo || length > hi) {
            return 0;
        }
        if (mandatory && Py_UNICODE_ISSPACE(PyUnicode_READ(scan->kind, scan->data, start))) {
            return 0;
        }
        return 1;
    case KIND_NUM:
        if (all_digits && length >= lo && length <= hi) {
            return 1;
        }
        if (lo > 1 || length < 2 || length > hi + 1) {
            return 0;
        }
        {
            /* -?[0-9]*[.,][0-9]+ */
            Py_ssize_t i = start;
            if (PyUnicode_READ(scan->kind, scan->data, i) == '-') {
                i++;
            }
            while (i < stop && is_digit(PyUnicode_READ(scan->kind, scan->data, i))) {
                i++;
            }
            if (i >= stop) {
                return 0;
            }
            Py_UCS4 mark = PyUnicode_READ(scan->kind, scan->data, i);
            if (mark != '.' && mark != ',') {
                return 0;
            }
            i++;
            if (i >= stop) {
                return 0;
            }
            while (i < stop && is_digit(PyUnicode_READ(scan->kind, scan->data, i))) {
                i++;
            }
            return i == stop;
        }
    default:
        return 0;
    }
}

/* One element [start, stop) against its spec
 * (mandatory, kind, lo, hi, codes, components, required_components). */
static int
element_clean(const Scan *scan, Py_ssize_t start, Py_ssize_t stop, PyObject *spec)
{
    if (!PyTuple_Check(spec) || PyTuple_GET_SIZE(spec) != 7) {
        return 0;
    }
    long mandatory = spec_long(spec, 0), kind = spec_long(spec, 1);
    if (kind == KIND_UNUSED) {
        return start == stop;
    }
    if (start == stop) {
        return !mandatory;
    }
    if (kind != KIND_COMPOSITE) {
        return value_clean(scan, start, stop, spec, 1);
    }
    if (mandatory && Py_UNICODE_ISSPACE(PyUnicode_READ(scan->kind, scan->data, start))) {
        return 0;
    }
    PyObject *components = PyTuple_GET_ITEM(spec, 5);
    long required = spec_long(spec, 6);
    if (!PyTuple_Check(components) || required < 0) {
        return 0;
    }
    Py_ssize_t count = PyTuple_GET_SIZE(components);
    Py_ssize_t index = 0, from = start;
    for (Py_ssize_t i = start; i <= stop; i++) {
        if (i < stop && PyUnicode_READ(scan->kind, scan->data, i) != scan->component) {
            continue;
        }
        if (index >= count) {
            return 0;
        }
        PyObject *component = PyTuple_GET_ITEM(components, index);
        if (!PyTuple_Check(component) || PyTuple_GET_SIZE(component) < 5) {
            return 0;
        }
        if (i == from) {
            if (spec_long(component, 0)) {
                return 0;
            }
        }
        else {
            int clean = value_clean(scan, from, i, component, 0);
            if (clean <= 0) {
                return clean;
            }
        }
        index++;
        from = i + 1;
    }
    return index >= required;
}

/* A segment text against its spec (tag, required_elements, elements). */
static int
segment_clean(Scan *scan, PyObject *text, PyObject *spec)
{
    if (!PyTuple_Check(spec) || PyTuple_GET_SIZE(spec) != 3) {
        return 0;
    }
    PyObject *tag = PyTuple_GET_ITEM(spec, 0);
    long required = spec_long(spec, 1);
    PyObject *elements = PyTuple_GET_ITEM(spec, 2);
    if (!PyUnicode_Check(tag) || !PyTuple_Check(elements) || required < 0) {
        return 0;
    }
    scan->text = text;
    scan->kind = PyUnicode_KIND(text);
    scan->data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    Py_ssize_t tag_length = PyUnicode_GET_LENGTH(tag);
    if (n < tag_length) {
        return 0;
    }
    for (Py_ssize_t i = 0; i < tag_length; i++) {
        if (PyUnicode_READ_CHAR(tag, i) != PyUnicode_READ(scan->kind, scan->data, i)) {
            return 0;
        }
    }
    if (n == tag_length) {
        return required == 0;
    }
    if (PyUnicode_READ(scan->kind, scan->data, tag_length) != scan->element) {
        return 0;
    }
    Py_ssize_t count = PyTuple_GET_SIZE(elements);
    Py_ssize_t index = 0, from = tag_length + 1;
    for (Py_ssize_t i = from; i <= n; i++) {
        if (i < n && PyUnicode_READ(scan->kind, scan->data, i) != scan->element) {
            continue;
        }
        if (index >= count) {
            return 0;
        }
        int clean = element_clean(scan, from, i, PyTuple_GET_ITEM(elements, index));
        if (clean <= 0) {
            return clean;
        }
        index++;
        from = i + 1;
    }
    return index >= required;
}

static PyObject *
unproven(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 5) {
        PyErr_SetString(PyExc_TypeError, "unproven takes 5 arguments");
        return NULL;
    }
    PyObject *raw = args[0], *specs = args[1];
    if (!PyList_Check(raw) || !PyDict_Check(specs) || !PyUnicode_Check(args[4])) {
        PyErr_SetString(PyExc_TypeError, "unproven(list, dict, str, str, str)");
        return NULL;
    }
    Scan scan;
    if (one_char(args[2], "element", &scan.element, 0) < 0 ||
        one_char(args[3], "component", &scan.component, 0) < 0) {
        return NULL;
    }
    Py_ssize_t forbidden = PyUnicode_GET_LENGTH(args[4]);
    if (forbidden > 2) {
        PyErr_SetString(PyExc_ValueError, "at most two forbidden characters");
        return NULL;
    }
    scan.forbidden_count = (int)forbidden;
    for (Py_ssize_t i = 0; i < forbidden; i++) {
        scan.forbidden[i] = PyUnicode_READ_CHAR(args[4], i);
    }
    PyObject *out = PyList_New(0);
    if (out == NULL) {
        return NULL;
    }
    Py_ssize_t size = PyList_GET_SIZE(raw);
    for (Py_ssize_t i = 0; i < size; i++) {
        PyObject *lexeme = PyList_GET_ITEM(raw, i);
        int clean = 0;
        if (PyTuple_Check(lexeme) && PyTuple_GET_SIZE(lexeme) >= 4 &&
            PyTuple_GET_ITEM(lexeme, 3) == Py_None) {
            PyObject *tag = PyTuple_GET_ITEM(lexeme, 0);
            PyObject *text = PyTuple_GET_ITEM(lexeme, 1);
            if (PyUnicode_Check(tag) && PyUnicode_Check(text)) {
                PyObject *spec = PyDict_GetItemWithError(specs, tag);
                if (spec == NULL && PyErr_Occurred()) {
                    Py_DECREF(out);
                    return NULL;
                }
                if (spec != NULL && spec != Py_None) {
                    clean = segment_clean(&scan, text, spec);
                    if (clean < 0) {
                        Py_DECREF(out);
                        return NULL;
                    }
                }
            }
        }
        if (!clean) {
            PyObject *position = PyLong_FromSsize_t(i + 1);
            if (position == NULL || PyList_Append(out, position) < 0) {
                Py_XDECREF(position);
                Py_DECREF(out);
                return NULL;
            }
            Py_DECREF(position);
        }
    }
    return out;
}

/* ---- DTM values ------------------------------------------------------------------------ */

/* The layouts of the DTM format qualifiers the Python check knows (analyse._DATE_FORMATS):
 * Y = 4-digit year, y = 2-digit year, M month, D day, h hour, m minute, s second. */
static const struct {
    const char *qualifier;
    const char *layout;
} DATE_FORMATS[] = {
    {"101", "yMD"}, {"102", "YMD"}, {"201", "yMDhm"}, {"202", "yMDhms"},
    {"203", "YMDhm"}, {"204", "YMDhms"}, {"401", "hm"},
};

/* 1 when `value` (ASCII, `length` long) is a real date/time in `layout`; as
 * analyse._date_problem returns None. */
static int
date_fits(const Py_UCS1 *value, Py_ssize_t length, const char *layout)
{
    Py_ssize_t width = 0;
    for (const char *f = layout; *f; f++) {
        width += *f == 'Y' ? 4 : 2;
    }
    if (length != width) {
        return 0;
    }
    for (Py_ssize_t i = 0; i < length; i++) {
        if (value[i] < '0' || value[i] > '9') {
            return 0;
        }
    }
    static const int days[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    long year = 2000, month = 1;
    Py_ssize_t at = 0;
    for (const char *f = layout; *f; f++) {
        int digits = *f == 'Y' ? 4 : 2;
        long number = 0;
        for (int i = 0; i < digits; i++) {
            number = number * 10 + (value[at + i] - '0');
        }
        at += digits;
        switch (*f) {
        case 'Y':
            year = number;
            break;
        case 'y':
            year = 2000 + number;
            break;
        case 'M':
            month = number;
            if (number < 1 || number > 12) {
                return 0;
            }
            break;
        case 'D': {
            int leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
            long limit = month == 2 ? (leap ? 29 : 28) : days[month - 1];
            if (number < 1 || number > limit) {
                return 0;
            }
            break;
        }
        case 'h':
            if (number > 24) {
                return 0;
            }
            break;
        default: /* m, s */
            if (number > 59) {
                return 0;
            }
        }
    }
    return 1;
}

/* dates_unproven(raw, positions, element, component, repetition) -> [positions]
 * Of the DTM positions given, those whose value the Python check must look at: a DTM is
 * proven when its plain text (no release character, no repetition separator) gives the Python
 * check nothing to report: no composite, fewer than three components, a format it does not
 * know, an empty value, or a value that is a real date/time in its format. */
static PyObject *
dates_unproven(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 5 || !PyList_Check(args[0]) || !PyList_Check(args[1]) ||
        !PyUnicode_Check(args[4])) {
        PyErr_SetString(PyExc_TypeError, "dates_unproven(list, list, str, str, str)");
        return NULL;
    }
    Py_UCS4 element, component;
    if (one_char(args[2], "element", &element, 0) < 0 ||
        one_char(args[3], "component", &component, 0) < 0) {
        return NULL;
    }
    Py_UCS4 repetition = PyUnicode_GET_LENGTH(args[4]) == 1 ? PyUnicode_READ_CHAR(args[4], 0)
                                                             : (Py_UCS4)-1;
    PyObject *raw = args[0], *positions = args[1];
    PyObject *out = PyList_New(0);
    if (out == NULL) {
        return NULL;
    }
    for (Py_ssize_t k = 0; k < PyList_GET_SIZE(positions); k++) {
        PyObject *item = PyList_GET_ITEM(positions, k);
        Py_ssize_t position = PyLong_Check(item) ? PyLong_AsSsize_t(item) : -1;
        if (position == -1 && PyErr_Occurred()) {
            PyErr_Clear();
        }
        int proven = 0;
        if (position >= 1 && position <= PyList_GET_SIZE(raw)) {
            PyObject *lexeme = PyList_GET_ITEM(raw, position - 1);
            PyObject *text = PyTuple_Check(lexeme) && PyTuple_GET_SIZE(lexeme) >= 4 &&
                                     PyTuple_GET_ITEM(lexeme, 3) == Py_None
                                 ? PyTuple_GET_ITEM(lexeme, 1)
                                 : NULL;
            if (text != NULL && PyUnicode_Check(text) &&
                PyUnicode_KIND(text) == PyUnicode_1BYTE_KIND) {
                const Py_UCS1 *data = PyUnicode_1BYTE_DATA(text);
                Py_ssize_t n = PyUnicode_GET_LENGTH(text);
                int clean_text = 1;
                for (Py_ssize_t i = 0; i < n && repetition != (Py_UCS4)-1; i++) {
                    if (data[i] == repetition) {
                        clean_text = 0;
                        break;
                    }
                }
                if (clean_text) {
                    /* the first element: after the tag's separator, up to the next one */
                    Py_ssize_t i = 0;
                    while (i < n && data[i] != element) {
                        i++;
                    }
                    if (i >= n) {
                        proven = 1; /* no element at all */
                    }
                    else {
                        Py_ssize_t start = i + 1, stop = start;
                        Py_ssize_t cuts[3] = {-1, -1, -1}; /* component separators */
                        int count = 0;
                        while (stop < n && data[stop] != element) {
                            if (data[stop] == component && count < 3) {
                                cuts[count] = stop;
                                count++;
                            }
                            stop++;
                        }
                        if (count < 2) {
                            proven = 1; /* not a composite of three components */
                        }
                        else {
                            Py_ssize_t value_start = cuts[0] + 1, value_stop = cuts[1];
                            Py_ssize_t q_start = cuts[1] + 1;
                            Py_ssize_t q_stop = count > 2 ? cuts[2] : stop;
                            const char *layout = NULL;
                            for (size_t f = 0; f < sizeof(DATE_FORMATS) / sizeof(DATE_FORMATS[0]);
                                 f++) {
                                const char *q = DATE_FORMATS[f].qualifier;
                                if ((Py_ssize_t)strlen(q) == q_stop - q_start &&
                                    memcmp(q, data + q_start, strlen(q)) == 0) {
                                    layout = DATE_FORMATS[f].layout;
                                    break;
                                }
                            }
                            if (layout == NULL || value_stop == value_start) {
                                proven = 1;
                            }
                            else {
                                proven = date_fits(data + value_start, value_stop - value_start,
                                                   layout);
                            }
                        }
                    }
                }
            }
        }
        if (!proven && PyList_Append(out, item) < 0) {
            Py_DECREF(out);
            return NULL;
        }
    }
    return out;
}

static PyMethodDef methods[] = {
    {"split_block", (PyCFunction)(void (*)(void))split_block, METH_FASTCALL,
     "split_block(chunk, base, separator, element, component, release, delimiters) -> "
     "(lexemes, marks, released, tail)"},
    {"split_released", (PyCFunction)(void (*)(void))split_released, METH_FASTCALL,
     "split_released(text, element, component, repetition, release, terminator) -> "
     "(tag, elements, ordinary)"},
    {"uniform_line_end", (PyCFunction)(void (*)(void))uniform_line_end, METH_FASTCALL,
     "uniform_line_end(chunk, terminator, release) -> '', '\\n', '\\r\\n' or None"},
    {"dates_unproven", (PyCFunction)(void (*)(void))dates_unproven, METH_FASTCALL,
     "dates_unproven(raw, positions, element, component, repetition) -> DTM positions the "
     "Python check must look at"},
    {"unproven", (PyCFunction)(void (*)(void))unproven, METH_FASTCALL,
     "unproven(raw, specs, element, component, forbidden) -> 1-based positions not proven "
     "clean"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    "translators._accel.edifact_lex",
    "Compiled block split for the EDIFACT lexer (tokens only; findings stay in Python).",
    -1,
    methods,
    NULL,
    NULL,
    NULL,
    NULL,
};

PyMODINIT_FUNC
PyInit_edifact_lex(void)
{
    return PyModule_Create(&module_def);
}
