"""`python3 dev.py run --port N` announces the address it will really listen on."""

import pytest

import dev


@pytest.mark.parametrize(
    ("args", "port"),
    [
        ([], "8000"),
        (["--port", "18000"], "18000"),
        (["--live-viewers", "5", "--port=9001"], "9001"),
    ],
)
def test_the_start_up_line_names_the_port_the_supervisor_uses(args: list[str], port: str) -> None:
    assert dev.port_of(args) == port
