"""SLURM profiles: validation, and a golden file for the sbatch script they produce."""

import os
from pathlib import Path

import pytest

from reproduce.errors import SpecError, UserError
from reproduce.slurm_profile import executor_parameters, load_slurm_profile, sbatch_preview

GOLDEN = Path(__file__).parent / "golden"


@pytest.mark.parametrize("name", ["default", "gpu"])
def test_sbatch_script_matches_golden(name):
    text = sbatch_preview(load_slurm_profile(name))
    golden = GOLDEN / f"sbatch_{name}.sh"
    if os.environ.get("REPRODUCE_UPDATE_GOLDEN"):
        golden.write_text(text)
    assert text == golden.read_text()


def test_parameters_of_the_gpu_profile():
    params = executor_parameters(load_slurm_profile("gpu"))
    assert params["slurm_partition"] == "gpu" and params["gpus_per_node"] == 1
    assert params["slurm_array_parallelism"] == 16 and params["timeout_min"] == 2880
    assert params["slurm_additional_parameters"] == {"qos": "normal"}


def _write(tmp_path, text):
    (tmp_path / "slurm").mkdir()
    (tmp_path / "slurm" / "site.toml").write_text(text)
    return tmp_path


@pytest.mark.parametrize("text,field", [
    ('partition = "gpu; rm -rf /"\n', "partition"),
    ('partition = "gpu"\nadditional = { qos = "$(whoami)" }\n', "additional.qos"),
    ('partition = "gpu"\nadditional = { "x --wrap" = "1" }\n', "additional.x --wrap"),
    ('partition = "gpu"\ncolour = "red"\n', "colour"),
    ('partition = "gpu"\nmem_gb = "lots"\n', "mem_gb"),
    ('partition = "gpu"\ntime_min = 0\n', "time_min"),
    ('partition = "gpu\\n"\n', "partition"),
    ('partition = "gpu"\nadditional = { qos = "normal\\n#SBATCH --uid=0" }\n', "additional.qos"),
    ('partition = "gpu"\nadditional = { export = "ALL,LD_PRELOAD=/tmp/x.so" }\n',
     "additional.export"),
    ('partition = "gpu"\nadditional = { chdir = "/" }\n', "additional.chdir"),
    ('partition = "gpu"\nadditional = { output = "/elsewhere/%j.out" }\n', "additional.output"),
    ('partition = "gpu"\nadditional = { qos = true }\n', "additional.qos"),
    ('partition = "gpu"\ngpus_per_task = -1\n', "gpus_per_task"),
    ('partition = "gpu"\narray_parallelism = -3\n', "array_parallelism"),
])
def test_unsafe_or_invalid_profiles_are_refused(tmp_path, text, field):
    root = _write(tmp_path, text)
    with pytest.raises(SpecError) as err:
        load_slurm_profile("site", root)
    assert f": {field}:" in str(err.value) and "\n" not in str(err.value)


def test_unknown_profile_lists_the_known_ones():
    with pytest.raises(UserError, match="allowed: default, gpu"):
        load_slurm_profile("nosuch")
    with pytest.raises(UserError, match="invalid name"):
        load_slurm_profile("../etc/passwd")
