"""Exports: a registry of formats, one module each; selection, writers and provenance are shared."""

from annotate.export.base import (
    ExportContext,
    ExportError,
    ExportFormat,
    ExportOptions,
    ExportSummary,
)
from annotate.export.battles import BATTLES
from annotate.export.captions import CAPTIONS
from annotate.export.critique import CRITIQUE
from annotate.export.hh_rlhf import HH_RLHF
from annotate.export.ranking import RANKING
from annotate.export.raw import RAW
from annotate.export.reward import REWARD
from annotate.export.rubric import RUBRIC
from annotate.export.sft import SFT
from annotate.export.trl import TRL
from annotate.export.trl_kto import TRL_KTO
from annotate.export.trl_standard import TRL_STANDARD

FORMATS: dict[str, ExportFormat] = {
    fmt.name: fmt
    for fmt in (
        TRL,
        TRL_STANDARD,
        TRL_KTO,
        REWARD,
        HH_RLHF,
        RANKING,
        RUBRIC,
        CRITIQUE,
        CAPTIONS,
        SFT,
        BATTLES,
        RAW,
    )
}

__all__ = ["FORMATS", "ExportContext", "ExportError", "ExportFormat", "ExportOptions", "ExportSummary"]
