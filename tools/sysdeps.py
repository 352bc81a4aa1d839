#!/usr/bin/env python3
"""Check (and where possible install) what Sesame needs from the system.

Run by `make run` before the app starts and by `make test` before the tests.
On Linux, Qt's xcb platform plugin needs a set of X11/GL libraries that
minimal installs lack; the PDF report (WeasyPrint) needs Pango, HarfBuzz and
GObject; Burmese text needs a font covering the Myanmar script (Noto Sans Myanmar); OCR of scans
needs the Tesseract program with its English and Burmese (`mya`) data. This
script looks for all of them and:

- on Debian or Ubuntu, as root or with password-less sudo, installs the
  missing packages with apt-get;
- otherwise prints exactly what to install.

It never fails `make run` (exit status 0 unless asked with --strict), is quick
when nothing is missing (one `ldconfig -p`, one `fc-list` and one `tesseract
--list-langs`: about 0.1 s), and uses the standard library only (it runs
before the virtualenv exists).
Set SESAME_NO_SYSDEPS=1 to skip it.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

# Debian package -> a shared library it provides (as `ldconfig -p` lists it).
LIBRARIES = {
    "libxcb-cursor0": "libxcb-cursor.so.0",
    "libxcb-icccm4": "libxcb-icccm.so.4",
    "libxcb-keysyms1": "libxcb-keysyms.so.1",
    "libxcb-image0": "libxcb-image.so.0",
    "libxcb-render-util0": "libxcb-render-util.so.0",
    "libxcb-xinerama0": "libxcb-xinerama.so.0",
    "libxcb-xkb1": "libxcb-xkb.so.1",
    "libxkbcommon-x11-0": "libxkbcommon-x11.so.0",
    "libegl1": "libEGL.so.1",
    "libgl1": "libGL.so.1",
    "libfontconfig1": "libfontconfig.so.1",
    "libdbus-1-3": "libdbus-1.so.3",
    # WeasyPrint (the PDF report) opens these with cffi at import.
    "libglib2.0-0": "libgobject-2.0.so.0",
    "libpango-1.0-0": "libpango-1.0.so.0",
    "libpangoft2-1.0-0": "libpangoft2-1.0.so.0",
    "libharfbuzz0b": "libharfbuzz.so.0",
    "libharfbuzz-subset0": "libharfbuzz-subset.so.0",
}
# OCR of scans and photographs: the Tesseract program and the data of each
# language Sesame reads by default (Tesseract language code -> Debian package).
TESSERACT_PACKAGE = "tesseract-ocr"
TESSERACT_LANGUAGES = {"eng": "tesseract-ocr-eng", "mya": "tesseract-ocr-mya"}
# Fonts covering Myanmar script: Noto Sans Myanmar first, Padauk where it is missing.
# Both draw Burmese on screen, but a PDF report set in Padauk alone carries a garbled
# text layer (WeasyPrint 68-70: pdfium reads "ရĴ န် Öကု" for "ရန်ကုန်"), so its
# Burmese could not be searched or copied; set in Noto Sans Myanmar it reads exactly.
MYANMAR_FONT = "Noto Sans Myanmar"
MYANMAR_FONT_PACKAGES = ["fonts-noto-core", "fonts-sil-padauk"]
# Other distributions: the same needs under their own names, for the message.
OTHER_DISTROS = (
    "Fedora: sudo dnf install xcb-util-cursor xcb-util-wm xcb-util-keysyms xcb-util-image "
    "xcb-util-renderutil libxkbcommon-x11 mesa-libEGL mesa-libGL fontconfig dbus-libs "
    "pango harfbuzz google-noto-sans-myanmar-fonts tesseract tesseract-langpack-eng "
    "tesseract-langpack-mya\n"
    "Arch: sudo pacman -S xcb-util-cursor xcb-util-wm xcb-util-keysyms xcb-util-image "
    "xcb-util-renderutil libxkbcommon-x11 libglvnd fontconfig dbus pango harfbuzz noto-fonts "
    "tesseract tesseract-data-eng tesseract-data-mya"
)


def _run(cmd: list[str], timeout: float = 20) -> tuple[int, str]:
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return 127, ""
    return done.returncode, done.stdout


def known_libraries() -> set[str] | None:
    """Shared library names the dynamic linker knows (None: cannot tell)."""
    ldconfig = shutil.which("ldconfig") or "/sbin/ldconfig"
    code, out = _run([ldconfig, "-p"])
    if code != 0 or not out:
        return None
    return {line.split()[0] for line in out.splitlines()[1:] if line.strip()}


def missing_libraries(known: set[str] | None) -> list[str]:
    """Debian packages whose library is not installed."""
    if known is None:
        return []  # no ldconfig: say nothing rather than guess
    return [pkg for pkg, soname in LIBRARIES.items() if soname not in known]


def has_myanmar_font() -> bool | None:
    """Whether fontconfig knows Noto Sans Myanmar (None: cannot tell)."""
    if not shutil.which("fc-list"):
        return None
    code, out = _run(["fc-list", ":lang=my", "family"])
    if code != 0:
        return None
    return any(MYANMAR_FONT in line.split(",") for line in out.splitlines())


def tesseract_languages() -> set[str] | None:
    """Languages the installed Tesseract reads (None: no `tesseract` program)."""
    program = shutil.which("tesseract")
    if not program:
        return None
    try:
        done = subprocess.run(
            [program, "--list-langs"], capture_output=True, text=True, timeout=20, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return set()
    # "List of available languages in "/usr/share/tesseract-ocr/5/tessdata/" (3):"
    # then one code a line; Tesseract 3 printed it on stderr.
    lines = (done.stdout or done.stderr).splitlines()
    return {line.strip() for line in lines[1:] if line.strip()}


def missing_ocr(languages: set[str] | None) -> list[str]:
    """Debian packages for Tesseract and the language data it lacks."""
    if languages is None:
        return [TESSERACT_PACKAGE, *TESSERACT_LANGUAGES.values()]
    return [pkg for code, pkg in TESSERACT_LANGUAGES.items() if code not in languages]


def is_debian_like(os_release: str | None = None) -> bool:
    """Debian, Ubuntu and their kin (apt-get works there)."""
    if os_release is None:
        path = Path("/etc/os-release")
        os_release = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
    fields = {}
    for line in os_release.splitlines():
        key, _, value = line.partition("=")
        fields[key.strip()] = value.strip().strip('"').lower()
    ids = {fields.get("ID", "")} | set(fields.get("ID_LIKE", "").split())
    return bool(ids & {"debian", "ubuntu"}) and shutil.which("apt-get") is not None


def privilege_prefix() -> list[str] | None:
    """[] as root, ["sudo", "-n"] with password-less sudo, else None."""
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        return []
    if shutil.which("sudo"):
        code, _ = _run(["sudo", "-n", "true"], timeout=5)
        if code == 0:
            return ["sudo", "-n"]
    return None


def apt_install(prefix: list[str], packages: list[str]) -> bool:
    """Install packages with apt-get (refreshing the lists once if needed)."""
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    cmd = [*prefix, "apt-get", "install", "-y", "--no-install-recommends", *packages]
    print("sysdeps: " + " ".join(cmd), flush=True)
    if subprocess.run(cmd, env=env, check=False).returncode == 0:
        return True
    subprocess.run([*prefix, "apt-get", "update"], env=env, check=False)
    return subprocess.run(cmd, env=env, check=False).returncode == 0


def plan(missing_libs: list[str], font: bool | None, ocr: list[str] | None = None) -> list[str]:
    """The Debian packages to install (the Noto fonts if Noto Sans Myanmar is missing)."""
    packages = list(missing_libs)
    if font is False:
        packages.append(MYANMAR_FONT_PACKAGES[0])
    packages.extend(ocr or [])
    return packages


def advice(packages: list[str]) -> str:
    """What to tell a person who must install the packages themselves."""
    lines = [
        "Sesame needs some system packages that are not installed:",
        "  sudo apt-get install " + " ".join(packages),
    ]
    if any(p in MYANMAR_FONT_PACKAGES for p in packages):
        lines.append(
            "  (fonts-noto-core, else fonts-sil-padauk: without a Myanmar font Burmese "
            "shows as empty boxes; with Padauk alone a PDF report's Burmese cannot be "
            "searched or copied)"
        )
    if any(p.startswith(TESSERACT_PACKAGE) for p in packages):
        lines.append(
            "  (tesseract-ocr and its language data: without them, scanned PDFs and "
            "images cannot be imported)"
        )
    lines.append("On other systems, the same libraries are called:")
    lines.extend("  " + line for line in OTHER_DISTROS.splitlines())
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report, never install")
    parser.add_argument(
        "--strict", action="store_true", help="exit 1 when something is still missing"
    )
    args = parser.parse_args(argv)
    if os.environ.get("SESAME_NO_SYSDEPS") or platform.system() != "Linux":
        return 0  # macOS and Windows wheels of Qt carry what they need

    packages = plan(
        missing_libraries(known_libraries()),
        has_myanmar_font(),
        missing_ocr(tesseract_languages()),
    )
    if not packages:
        return 0
    if not args.check and is_debian_like():
        prefix = privilege_prefix()
        if prefix is not None:
            ok = apt_install(prefix, packages)
            if not ok and MYANMAR_FONT_PACKAGES[0] in packages:
                # A release without the Noto package: Padauk still draws Burmese.
                others = [p for p in packages if p != MYANMAR_FONT_PACKAGES[0]]
                ok = apt_install(prefix, [*others, MYANMAR_FONT_PACKAGES[1]])
            if ok:
                return 0
    print(advice(packages), file=sys.stderr)
    return 1 if args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
