"""JSON logs on stdout, with email addresses and phone numbers masked before anything is written.

With tracing on (tracing.py), a line written inside a span carries its `trace_id` and `span_id`.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import Any

from opentelemetry import trace
from pythonjsonlogger.json import JsonFormatter

_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\w.-])(?:\+\d{1,3}[\s.-]?)?(?:\(?\d\)?[\s.-]?){8,12}\d(?![\w-])")
_STANDARD_ATTRS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}
_trace_ids = False  # turned on by tracing.configure(): off, no line pays for looking up a span


def include_trace_ids() -> None:
    global _trace_ids
    _trace_ids = True


def redact(text: str) -> str:
    """Mask what looks like personal contact data (a safety net; code should not log it at all)."""
    return _PHONE.sub("[phone]", _EMAIL.sub("[email]", text))


def _redact_value(value: Any) -> Any:
    """`redact` applied to strings, including those nested in the lists and dicts an `extra` may carry."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, (list, tuple)):
        return [_redact_value(item) for item in value]
    if isinstance(value, dict):
        return {key: _redact_value(item) for key, item in value.items()}
    return value


class PersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        for key, value in list(vars(record).items()):
            if key not in _STANDARD_ATTRS:
                setattr(record, key, _redact_value(value))
        if record.exc_info and record.exc_info[1] is not None:
            # Exception messages can quote input; keep the traceback, mask its text.
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


class ServiceJsonFormatter(JsonFormatter):
    def __init__(self, service: str) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s",
                         rename_fields={"levelname": "level", "asctime": "time", "name": "logger"})
        self._service = service

    def add_fields(self, log_record: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]) -> None:
        super().add_fields(log_record, record, message_dict)
        log_record["service"] = self._service
        if _trace_ids:
            span = trace.get_current_span().get_span_context()
            if span.is_valid:
                log_record["trace_id"] = format(span.trace_id, "032x")
                log_record["span_id"] = format(span.span_id, "016x")


def configure_logging(service: str, level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(ServiceJsonFormatter(service))
    handler.addFilter(PersonalDataFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("uvicorn", "uvicorn.error", "uvicorn.access", "faststream", "aiormq", "aio_pika"):
        logging.getLogger(noisy).handlers[:] = []
        logging.getLogger(noisy).propagate = True
    logging.getLogger("aiormq").setLevel("WARNING")
    logging.getLogger("aio_pika").setLevel("WARNING")
