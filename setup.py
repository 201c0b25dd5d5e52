"""Build hook for the optional compiled speed-ups: every `translators/_accel/<name>.c` becomes
the extension module `translators._accel.<name>`. Everything else lives in setup.cfg.

The engines never need these modules: each has a pure-Python path that gives the same
results, and the tests compare the two. A machine without a C compiler still installs; it
only runs slower."""

from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).resolve().parent
SOURCES = sorted((HERE / "translators" / "_accel").glob("*.c"))


class OptionalBuildExt(build_ext):
    """A compiler failure leaves the pure-Python path in charge instead of failing the
    install; the message says what happened."""

    def build_extension(self, ext: Extension) -> None:
        try:
            super().build_extension(ext)
        except Exception as exc:  # any compiler failure: fall back
            print(f"warning: {ext.name} not built, using the pure-Python path ({exc})")


setup(
    ext_modules=[
        Extension(
            f"translators._accel.{source.stem}",
            [str(source.relative_to(HERE))],
            extra_compile_args=["-O2"],
        )
        for source in SOURCES
    ],
    cmdclass={"build_ext": OptionalBuildExt},
)
