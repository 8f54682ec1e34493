"""``manage.py api_errors_catalog --format markdown|json|html|typescript|python``: the "Error
Handling" page, or the catalog as a client module."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from api_errors.active import preset_for, style_for
from api_errors.documentation import EXPORT_FORMATS, export, settings_with
from api_errors.documentation.clients import NotExportable
from api_errors.styles import BUILTIN_STYLES


class Command(BaseCommand):
    help = (
        "Print the error documentation of the active catalog and style (the same content as "
        "the Error Handling page), or the catalog as a TypeScript or Python module."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--format",
            choices=EXPORT_FORMATS,
            default="markdown",
            help="Output format (default: markdown); typescript and python print a module of "
            "the codes, their messages, statuses and retry flags, and the error body's type.",
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
        with translation.override(options["language"] or translation.get_language()):
            try:
                text = export(conf, options["format"])
            except NotExportable as exc:
                raise CommandError(f"Cannot export the catalog: {exc}") from exc
        self.stdout.write(text, ending="")
