"""Names from users (study, variant, --name) follow one rule at parse time; paths stay in their root; output is escaped."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.faults.conftest import refused, tltui, tree
from tests.studies import GOOD
from tltui.base.errors import StudyError
from tltui.base.names import PathError, check_name, inside, shown
from tltui.base.study import load_study
from tltui.commands.jobs import show, table
from tltui.jobs.record import JobRecord


def study_dir(root: Path, text: str) -> Path:
    (root / "train" / "a").mkdir(parents=True, exist_ok=True)
    (root / "test" / "a").mkdir(parents=True, exist_ok=True)
    (root / "t.safetensors").write_bytes(b"")
    (root / "study.toml").write_text(text)
    return root / "study.toml"


@pytest.mark.parametrize(
    "bad", ["/abs/victim", "../../../x", "a/b", "", ".hidden", "x" * 65, "a\x1b[2Jb", "ü"]
)
def test_the_name_rule(bad: str) -> None:
    with pytest.raises(StudyError, match="letters, digits"):
        check_name(bad, "--name", StudyError)
    assert check_name("remos-0.1_a+b", "--name") == "remos-0.1_a+b"


@pytest.mark.e2e
@pytest.mark.parametrize("name", ["/tmp/victim/v", "../../../x"])
@pytest.mark.parametrize("command", ["treat", "mitigate"])
def test_a_name_that_is_a_path_is_refused_before_anything_is_deleted(
    tmp_path: Path, name: str, command: str
) -> None:
    victim = tmp_path / "victim"
    victim.mkdir()
    for suffix in (".json", ".safetensors"):
        (victim / f"v{suffix}").write_text("keep")
    target = str(victim / "v") if name.startswith("/") else name
    method = "dare" if command == "treat" else "finetune"
    before, ws = tree(tmp_path), tmp_path / "ws"
    proc = tltui(
        command,
        "demo",
        "--method",
        method,
        "--name",
        target,
        "--out",
        str(tmp_path / "o"),
        "--workspace",
        str(ws),
    )
    refused(proc, "--name", "letters, digits")
    assert {k: v for k, v in tree(tmp_path).items() if not k.startswith(("ws/", "o"))} == before
    assert not (ws / "runs").exists()  # refused at parse time: no job was started


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("old", "new", "needle"),
    [
        ('name = "s"', 'name = "../../x"', "name = '../../x'"),
        ('name = "s"', 'name = "/abs/path"', "name = '/abs/path'"),
        ('name = "ft"', 'name = "../../../x"', "[variants.0] name = '../../../x'"),
        ('name = "ft"', 'name = "teacher"', "reserved for the teacher"),
        ('name = "s"', 'name = "a\\u001b]0;pwned\\u0007b"', "\\x1b"),
    ],
)
def test_study_and_variant_names_follow_the_rule(tmp_path: Path, old: str, new: str, needle: str) -> None:
    study = study_dir(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(StudyError) as info:
        load_study(study)
    assert "study.toml" in info.value.msg
    before = tree(tmp_path)
    proc = tltui("analyze", str(study), "--out", str(tmp_path / "o"), "--workspace", str(tmp_path / "ws"))
    assert needle in refused(proc, "study.toml")
    assert {k: v for k, v in tree(tmp_path).items() if not k.startswith("ws/")} == before


def test_paths_from_user_values_stay_inside_their_root(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    root.mkdir()
    assert inside(root, "variants", "demo") == (root / "variants" / "demo").resolve()
    for parts in (("..", "x"), ("/etc",), ("variants", "../../x")):
        with pytest.raises(PathError, match="outside"):
            inside(root, *parts)
    (root / "link").symlink_to(tmp_path)
    with pytest.raises(PathError, match="outside"):
        inside(root, "link", "x")


def test_names_are_escaped_on_the_terminal(tmp_path: Path) -> None:
    evil = "x\x1b[2J\x1b]0;title\x07\nnext"
    assert "\x1b" not in shown(evil) and "\n" not in shown(evil) and "\\x1b[2J" in shown(evil)
    rec = JobRecord(
        "id1", "analyze", evil, evil, "failed", 0.0, "", "cpu", None, 0.0, None, None, "E", evil, tmp_path
    )
    for text in (table([rec], now=1.0), show(rec)):
        assert "\x1b" not in text and "\x07" not in text and "next" in text
    assert len(table([rec], now=1.0).splitlines()) == 2
