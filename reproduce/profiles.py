"""Profiles of a spec: the scales and protocols a table or figure runs at."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reproduce.errors import SpecError, UserError
from reproduce.spec_checks import check_run
from reproduce.validate import Fields

PROFILES = ("paper", "official", "smoke")
# profiles that run at the paper's own scale: ``paper`` follows the paper's text,
# ``official`` the values of the paper's public code where the two disagree (its ``note``
# names the source); ``smoke`` is toy scale, never comparable with the paper's numbers
FULL_SCALE = ("paper", "official")


@dataclass(frozen=True)
class Profile:
    seeds: int | None
    run: dict[str, Any]
    note: str = ""  # the protocol's source (required for ``official``)


def at_paper_scale(profile: str) -> bool:
    """Whether ``profile`` runs at the paper's own scale (its numbers are comparable)."""
    return profile in FULL_SCALE


def protocols(profiles: dict[str, Profile]) -> dict[str, str]:
    """The paper-scale protocols a spec can run and what each follows: ``paper`` always,
    ``official`` where the spec defines it (its note names the public code)."""
    out = {"paper": "the paper's text"}
    out.update({n: profiles[n].note for n in FULL_SCALE if n != "paper" and n in profiles})
    return out


def resolve_profile(profiles: dict[str, Profile], name: str, path: Path) -> Profile:
    """The named profile of a spec; ``paper`` falls back to the spec's base values. Any
    other profile (``official``, ``smoke``) exists only where the spec defines it."""
    if name in profiles:
        return profiles[name]
    if name == "paper":
        return Profile(None, {})
    raise UserError(f"{path}: profiles: no profile {name!r} in this spec; "
                    f"defined: {', '.join(['paper', *profiles])}")


def load_profiles(top: Fields, path: Path) -> dict[str, Profile]:
    """The ``[profiles.<name>]`` sections: ``seeds`` (>= 1), ``run`` (params, dataset) and
    ``note`` (what the protocol follows; required for ``official``)."""
    profiles: dict[str, Profile] = {}
    section = top.sub("profiles")
    for name in section.data:
        if name not in PROFILES:
            raise SpecError(path, f"profiles.{name}",
                            f"unknown profile; allowed: {', '.join(PROFILES)}")
        f = section.sub(name)
        f.check_keys({"seeds", "run", "note"})
        note = f.get("note", str, "")
        if name == "official" and not note.strip():
            raise SpecError(path, f.field("note"), "required: the public code (repository) "
                            "whose values this protocol uses")
        seeds = f.get("seeds", int, None)
        if seeds is not None and seeds < 1:
            raise SpecError(path, f.field("seeds"), "must be at least 1")
        run = check_run(f.get("run", dict, {}), path, f.field("run"))
        if "method" in run:
            raise SpecError(path, f"{f.field('run')}.method", "a profile changes the scale of "
                            "a run, not its method; allowed here: dataset, params")
        profiles[name] = Profile(seeds, run, note)
    return profiles
