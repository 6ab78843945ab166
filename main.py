"""IPS Field Log on this device: `python main.py [--web] [--port N] [--data-dir DIR]`.

A desktop window where there is a screen and the desktop client is
installed; otherwise (or with --web) the web build, served on 127.0.0.1 with
everything from the local packages (no CDN). On a phone, Flet runs `main`
and the data lives in the app's own storage.
"""

from __future__ import annotations

import argparse
import os
import platform
from importlib.util import find_spec
from pathlib import Path

import flet as ft
from flet.utils import is_embedded

from app.ui import FieldLogApp, default_data_dir

ASSETS = Path(__file__).resolve().parent / "assets"


def make_main(data_dir: Path):
    def main(page: ft.Page) -> None:
        FieldLogApp(page, data_dir).start()

    return main


def has_screen() -> bool:
    if platform.system() != "Linux":
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="IPS Field Log: the specialist's field log.")
    parser.add_argument("--web", action="store_true", help="serve the web build on 127.0.0.1")
    parser.add_argument("--port", type=int, default=8550, help="web port (default 8550)")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="where the encrypted data lives (default: per-user data folder)")
    return parser.parse_args(argv)


def serve_web(asked_for_web: bool) -> bool:
    """The web build, unless this is a packaged app (phone or desktop build,
    where Flet's runtime sets FLET_PLATFORM) or a desktop window can open."""
    if is_embedded():
        return False
    return asked_for_web or not has_screen() or find_spec("flet_desktop") is None


def run(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    main = make_main(args.data_dir or default_data_dir())
    if not serve_web(args.web):
        ft.run(main, assets_dir=str(ASSETS))
    else:
        ft.run(main, view=ft.AppView.WEB_BROWSER, host="127.0.0.1", port=args.port,
               assets_dir=str(ASSETS), no_cdn=True)


if __name__ == "__main__":
    run()
