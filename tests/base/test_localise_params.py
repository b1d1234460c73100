"""`tltui localise`'s parameters: interventions and the ranking checked in one line; blocks named by their path."""

from __future__ import annotations

import pytest

from tltui.base.catalogue import JOBS
from tltui.base.errors import ParamError
from tltui.base.jobparams import job_params

RESNET = [("conv1", "Conv2d"), ("layer1.0.conv1", "Conv2d"), ("layer1.0.conv2", "Conv2d"), ("fc", "Linear")]


def test_defaults_and_blocks_in_network_order() -> None:
    values = job_params(JOBS["localise"], {"layers": "fc,layer1"}, None, layers=RESNET)
    assert values["layers"] == ["layer1", "fc"] and values["rank_by"] == "reinit"
    assert values["interventions"] == ["restore", "reinit", "bn"]


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ({"interventions": "restore,prune"}, "--interventions prune: choose from restore, reinit, bn"),
        ({"interventions": "restore", "rank_by": "reinit"}, "--rank-by reinit: not among --interventions"),
        ({"layers": "layer2"}, "--layers layer2: not a layer"),
        ({"layers": "layer"}, "--layers layer: not a layer"),  # a block is a whole path segment
        ({"top_k": "-1"}, "--top-k = -1: must be in [0, 64]"),
    ],
)
def test_bad_values_are_one_line(raw: dict[str, str], says: str) -> None:
    with pytest.raises(ParamError) as err:
        job_params(JOBS["localise"], raw, None, layers=RESNET)
    assert says in err.value.msg


def test_a_foreign_or_newer_interventions_file_is_one_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tltui.base.errors import ResultsError
    from tltui.base.rundir.interventions import read_interventions

    path = tmp_path / "interventions.json"
    for text, says in (("[]", "not an interventions file"), ('{"format": 9, "layers": []}', "format 9")):
        path.write_text(text)
        with pytest.raises(ResultsError, match=says):
            read_interventions(path)
