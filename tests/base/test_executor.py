"""The executor choice and its checks before any job: Ray not installed, an address that is not host:port."""

from __future__ import annotations

import importlib.util

import pytest

from tltui.base import executor as E
from tltui.base.errors import ParamError


def test_local_is_the_default_and_the_environment_can_choose(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(E.EXECUTOR_ENV, raising=False)
    monkeypatch.delenv(E.ADDRESS_ENV, raising=False)
    assert E.executor_from({}) == E.Executor("local")
    monkeypatch.setenv(E.EXECUTOR_ENV, "ray")
    monkeypatch.setenv(E.ADDRESS_ENV, "10.0.0.5:6379")
    ex = E.executor_from({"workers": 3})
    assert (ex.name, ex.address, ex.workers, ex.distributed) == ("ray", "10.0.0.5:6379", 3, True)
    assert E.executor_from({"executor": "local"}).distributed is False  # the flag wins over the variable
    monkeypatch.setenv(E.EXECUTOR_ENV, "dask")
    with pytest.raises(ParamError, match="executor dask: choose one of local, ray"):
        E.executor_from({})


def test_ray_chosen_but_not_installed_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "ray" else real(name, *a)
    )
    with pytest.raises(
        ParamError, match=r"Ray is not installed here; install it with `pip install 'tltui\[ray\]'`"
    ):
        E.check_executor(E.Executor("ray"))
    E.check_executor(E.Executor("local"))  # the local executor never needs Ray


@pytest.mark.parametrize("address", ["nowhere", "host:", ":6379", "host:0", "host:70000", "ray://h:x"])
def test_an_address_must_be_host_and_port(address: str) -> None:
    with pytest.raises(ParamError, match="use host:port"):
        E.split_address(address)
    assert E.split_address("ray://head.cluster:10001") == ("head.cluster", 10001)
    assert E.split_address("[::1]:6379") == ("::1", 6379)
