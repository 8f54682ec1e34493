"""``manage.py api_errors_catalog``: the "Error Handling" page
(``--format markdown|json|html``), the catalog as a client module (``typescript|python``),
or the catalog's lock file (``--lock`` writes it, ``--check`` compares it, as
``makemigrations --check`` does)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.checks import ERROR
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from api_errors.active import catalog_for, preset_for, style_for
from api_errors.catalog.types import Catalog
from api_errors.checks.catalog import catalog_problems
from api_errors.conf import APIErrorsSettings, SettingError
from api_errors.documentation import EXPORT_FORMATS, export, settings_with
from api_errors.documentation.clients import NotExportable
from api_errors.lock import (
    LockFileError,
    compare,
    lock_path,
    lock_section,
    locked_section,
    write_lock,
)
from api_errors.styles import BUILTIN_STYLES


class Command(BaseCommand):
    help = (
        "Print the error documentation of the active catalog and style (the same content as "
        "the Error Handling page), or the catalog as a TypeScript or Python module. With "
        "--lock, record the catalog in its lock file; with --check, exit non-zero when the "
        "catalog differs from it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        action = parser.add_mutually_exclusive_group()
        action.add_argument(
            "--format",
            choices=EXPORT_FORMATS,
            help="Output format (default: markdown); typescript and python print a module of "
            "the codes, their messages, statuses and retry flags, and the error body's type.",
        )
        action.add_argument(
            "--lock",
            action="store_true",
            help="Write the active catalog's section of the lock file (API_ERRORS['LOCK_FILE']).",
        )
        action.add_argument(
            "--check",
            action="store_true",
            help="Print how the active catalog differs from its lock, and exit non-zero if it "
            "does (for CI).",
        )
        parser.add_argument(
            "--style",
            help=f"Envelope style: {', '.join(BUILTIN_STYLES)} or the dotted path of a Style "
            "subclass (default: API_ERRORS['STYLE']).",
        )
        parser.add_argument(
            "--catalog",
            help="Preset name or dotted path (default: API_ERRORS['CATALOG'] or the style's).",
        )
        parser.add_argument(
            "--language", help="Language of the messages, e.g. zh-hans (default: LANGUAGE_CODE)."
        )

    def execute(self, *args: Any, **options: Any) -> Any:
        if options.get("lock") or options.get("check"):
            # The system checks compare the catalog with its lock and would refuse the very
            # change --lock is asked to record; the catalog's own checks run in handle().
            options["skip_checks"] = True
        return super().execute(*args, **options)

    def handle(self, *args: Any, **options: Any) -> None:
        conf = settings_with(style=options["style"], catalog=options["catalog"])
        try:
            style_for(conf)
        except ValueError as exc:
            raise CommandError(f"Cannot use style {conf.STYLE!r}: {exc}") from exc
        try:
            preset_for(conf)
        except (ImportError, TypeError, ValueError) as exc:
            raise CommandError(f"Cannot load catalog {conf.CATALOG!r}: {exc}") from exc
        if options["lock"] or options["check"]:
            if options["language"]:
                raise CommandError("--language applies to the page, not to the lock file.")
            path, catalog = self.lock_target(conf)
            if options["lock"]:
                self.lock(path, catalog)
            else:
                self.check_lock(path, catalog)
            return
        with translation.override(options["language"] or translation.get_language()):
            try:
                text = export(conf, options["format"] or "markdown")
            except NotExportable as exc:
                raise CommandError(f"Cannot export the catalog: {exc}") from exc
        self.stdout.write(text, ending="")

    def lock_target(self, conf: APIErrorsSettings) -> tuple[Path, Catalog]:
        """Where the lock is, and the catalog to compare with it: one without errors."""
        try:
            path = lock_path(conf)
        except SettingError as exc:
            raise CommandError(str(exc)) from exc
        if path is None:
            raise CommandError(
                "There is no lock file location: set API_ERRORS['LOCK_FILE'] or BASE_DIR."
            )
        errors = [m for m in catalog_problems(conf) if m.level >= ERROR]
        if errors:
            listed = "\n".join(f"  {m.id}: {m.msg}" for m in errors)
            raise CommandError(f"The catalog has errors; fix them first:\n{listed}")
        return path, catalog_for(conf)

    def lock(self, path: Path, catalog: Catalog) -> None:
        try:
            changed = write_lock(path, catalog.name, lock_section(catalog))
        except LockFileError as exc:
            raise CommandError(f"{exc} Fix or delete it, then lock again.") from exc
        except OSError as exc:
            raise CommandError(f"Cannot write {path}: {exc}") from exc
        state = "Locked" if changed else "Already locked:"
        self.stdout.write(f"{state} catalog {catalog.name!r} in {path}.")

    def check_lock(self, path: Path, catalog: Catalog) -> None:
        try:
            locked = locked_section(path, catalog.name)
        except LockFileError as exc:
            raise CommandError(str(exc)) from exc
        if locked is None:
            raise CommandError(
                f"Catalog {catalog.name!r} is not locked in {path}: run "
                "manage.py api_errors_catalog --lock and commit the file."
            )
        changes = compare(locked, lock_section(catalog))
        if not changes:
            self.stdout.write(f"Catalog {catalog.name!r} matches its lock in {path}.")
            return
        for change in changes:
            self.stdout.write(f"{'breaking' if change.breaking else 'change'}: {change}")
        breaking = sum(change.breaking for change in changes)
        raise CommandError(
            f"Catalog {catalog.name!r} differs from its lock in {path}: {len(changes)} "
            f"change(s), {breaking} breaking. Run manage.py api_errors_catalog --lock to record "
            "them."
        )
