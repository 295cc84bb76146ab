import pytest

from reproduce.errors import SpecError, UserError
from reproduce.specs import find_table, load_table, parse_paper_value
from tests.spec_helpers import GOOD_TABLE, write_spec


def test_good_spec_loads(tmp_path):
    spec = load_table(write_spec(tmp_path, GOOD_TABLE))
    assert (spec.paper, spec.id, spec.seeds) == ("liu", "9", 3)
    assert [c.reducer for c in spec.columns] == ["last", "best"]
    assert spec.rows[0].paper["modes"].value == 5.3
    assert spec.rows[0].paper["rkl_best"].std == 0.011
    assert spec.rows[1].cited and not spec.rows[1].trainable
    assert spec.seeds_for("smoke") == 2 and spec.seeds_for("paper") == 3


@pytest.mark.parametrize("text,value,std", [
    ("5.3±1.1", 5.3, 1.1), ("58.9 ± 2.0", 58.9, 2.0), ("47.08", 47.08, None),
    ("0.81 +- 0.02", 0.81, 0.02), ("-", None, None), ("96.7%", 96.7, None),
])
def test_paper_values(text, value, std):
    parsed = parse_paper_value(text, "f.toml", "rows[0].paper.x")
    assert (parsed.value, parsed.std, parsed.text) == (value, std, text)


@pytest.mark.parametrize("change,field,allowed", [
    (("seeds = 3", "seeds = 3\ncolour = 1"), "colour", "allowed: columns"),
    (("seeds = 3", 'seeds = "three"'), "seeds", "expected an integer"),
    (('method = "liu2d"', 'method = "nosuch"'), "run.method", "allowed: "),
    (("recg_weight = 0.0", "recg_wait = 0.0"), "rows[0].overrides.params.recg_wait",
     "allowed: "),
    (('reducer = "best"', 'reducer = "median"'), "columns[1].reducer", "last_k:N"),
    (('better = "lower"', 'better = "smaller"'), "metrics[1].better", "higher, lower"),
    (("[profiles.smoke]", "[profiles.huge]"), "profiles.huge", "paper, official, smoke"),
    (("[profiles.smoke]", "[profiles.official]"), "profiles.official.note",
     "the public code"),
    (('modes = "5.3±1.1"', 'modes = "about five"'), "rows[0].paper.modes", "number ± std"),
    (('metric = "modes"', 'metric = "fid"'), "columns[0].metric", "modes, reverse_kl"),
    (("seeds = 2", "seeds = 0"), "profiles.smoke.seeds", "at least 1"),
    (("run = { params = { steps = 20,", 'run = { method = "liu2d", params = { steps = 20,'),
     "profiles.smoke.run.method", "allowed here: dataset, params"),
    (("seeds = 2", 'seeds = 2\nreducer = "best"'), "profiles.smoke.reducer",
     "allowed: note, run"),
])
def test_bad_spec_names_file_field_and_allowed(tmp_path, change, field, allowed):
    path = write_spec(tmp_path, GOOD_TABLE.replace(*change, 1))
    with pytest.raises(SpecError) as err:
        load_table(path)
    message = str(err.value)
    assert "\n" not in message
    assert message.startswith(str(path)) and f": {field}:" in message and allowed in message


def test_invalid_toml_is_one_line(tmp_path):
    path = write_spec(tmp_path, "title = [unclosed\n")
    with pytest.raises(SpecError, match="invalid TOML"):
        load_table(path)


def test_unknown_paper_table_and_profile(tmp_path):
    write_spec(tmp_path, GOOD_TABLE)
    with pytest.raises(UserError, match="--paper: unknown paper 'nope'; allowed: watanabe"):
        find_table("nope", "1", tmp_path)
    with pytest.raises(UserError, match="--id: paper 'liu' has no table '7'; allowed: 9"):
        find_table("liu", "7", tmp_path)
    with pytest.raises(UserError, match="no profile 'huge'"):
        find_table("liu", "9", tmp_path).profile("huge")


def test_pending_row_may_name_a_missing_method(tmp_path):
    text = GOOD_TABLE + """
[[rows]]
key = "future"
pending = "needs the MED-GAN image trainer"
overrides = { method = "medgan", params = { mask_embedding = true } }
"""
    spec = load_table(write_spec(tmp_path, text))
    assert spec.rows[2].pending and not spec.rows[2].trainable


def test_every_shipped_spec_validates():
    from reproduce.coverage import coverage
    from reproduce.specs import PAPERS

    report = coverage(list(PAPERS))
    assert sum(len(p["tables"]) for p in report) >= 1
