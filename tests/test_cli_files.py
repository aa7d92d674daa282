"""Files the CLI writes: errors name the user's file (never the temporary ``.part`` beside it),
and a missing folder is reported one way by ``export`` and ``audio`` (and by the library's
``export`` and ``download_audio``), before anything is sent."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

import cartesia_calls._audio
from cartesia_calls import AsyncClient
from cartesia_calls.testing import FakeCartesia
from cartesia_calls.testing._samples import SAMPLE_CALL_ID

from .cli_support import CLI_FAKE, Invoke, error_line, usage_error

DENTAL = "agent_dental_frontdesk"

pytestmark = CLI_FAKE


def writers(target: Path) -> dict[str, list[str]]:
    return {
        "export": ["export", "--agent-id", DENTAL, "-o", str(target)],
        "audio": ["audio", SAMPLE_CALL_ID, "-o", str(target)],
    }


@pytest.mark.parametrize("command", ["export", "audio"])
def test_a_missing_folder_is_reported_one_way(
    cli: Invoke, fake: FakeCartesia, tmp_path: Path, command: str
) -> None:
    target = tmp_path / "nope" / "out.file"
    result = cli(*writers(target)[command])
    assert result.exit_code == 1
    assert error_line(result) == (
        f"error: {target}: the folder {str(tmp_path / 'nope')!r} does not exist"
    )
    assert fake.requests == []


@pytest.mark.parametrize("command", ["export", "audio"])
def test_a_folder_instead_of_a_file(
    cli: Invoke, fake: FakeCartesia, tmp_path: Path, command: str
) -> None:
    # click's path check answers first (exit code 2), the same way for both commands.
    message = usage_error(cli(*writers(tmp_path)[command]))
    assert message == f"Invalid value for '--output' / '-o': File {str(tmp_path)!r} is a directory."
    assert fake.requests == []


@pytest.mark.parametrize("command", ["export", "audio"])
def test_a_file_instead_of_a_folder(
    cli: Invoke, fake: FakeCartesia, tmp_path: Path, command: str
) -> None:
    (tmp_path / "plain").write_text("")
    target = tmp_path / "plain" / "out.file"
    result = cli(*writers(target)[command])
    assert result.exit_code == 1
    assert error_line(result) == (f"error: {target}: {str(tmp_path / 'plain')!r} is not a folder")


def test_a_failed_temporary_file_names_the_recording(
    cli: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(target: Path, *, private: bool) -> tuple[int, Path]:
        temp = target.parent / f".{target.name}.abcdef.part"
        raise PermissionError(errno.EACCES, "Permission denied", str(temp))

    monkeypatch.setattr(cartesia_calls._audio, "_create_temp", refuse)
    target = tmp_path / "call.wav"
    result = cli("audio", SAMPLE_CALL_ID, "-o", str(target))
    assert result.exit_code == 1
    assert error_line(result) == f"error: {target}: Permission denied"
    assert ".part" not in result.stderr


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_full_disk_names_the_recording_and_leaves_nothing(
    cli: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    temps: list[Path] = []

    def full_disk(target: Path, *, private: bool) -> tuple[int, Path]:
        temp = target.parent / f".{target.name}.abcdef.part"
        temp.write_bytes(b"")
        temps.append(temp)
        return os.open("/dev/full", os.O_WRONLY), temp

    monkeypatch.setattr(cartesia_calls._audio, "_create_temp", full_disk)
    target = tmp_path / "call.wav"
    result = cli("audio", SAMPLE_CALL_ID, "-o", str(target))
    assert result.exit_code == 1
    assert error_line(result) == f"error: {target}: No space left on device"
    assert temps
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_full_disk_names_the_export(cli: Invoke) -> None:
    result = cli("export", "--agent-id", DENTAL, "-o", "/dev/full")
    assert result.exit_code == 1
    assert error_line(result) == "error: /dev/full: No space left on device"


# -- the library says the same ------------------------------------------------------------------


async def test_the_library_reports_a_missing_folder_one_way(
    client: AsyncClient, tmp_path: Path
) -> None:
    target = tmp_path / "nope" / "x"
    errors = []
    for write in (
        client.calls.export(target, agent_id=DENTAL),
        client.calls.download_audio(SAMPLE_CALL_ID, target),
    ):
        with pytest.raises(FileNotFoundError) as caught:
            await write
        errors.append(caught.value)
    assert [str(e) for e in errors] == [
        f"[Errno 2] the folder {str(tmp_path / 'nope')!r} does not exist: {str(target)!r}"
    ] * 2
    assert all(e.filename == str(target) for e in errors)


async def test_the_library_refuses_a_folder(client: AsyncClient, tmp_path: Path) -> None:
    with pytest.raises(IsADirectoryError, match="is a folder, not a file"):
        await client.calls.export(tmp_path, agent_id=DENTAL)
    with pytest.raises(IsADirectoryError, match="is a folder, not a file"):
        await client.calls.download_audio(SAMPLE_CALL_ID, tmp_path)


async def test_the_library_names_the_recording_not_its_temporary_file(
    client: AsyncClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(target: Path, *, private: bool) -> tuple[int, Path]:
        raise PermissionError(errno.EACCES, "Permission denied", str(target) + ".x.part")

    monkeypatch.setattr(cartesia_calls._audio, "_create_temp", refuse)
    target = tmp_path / "call.wav"
    with pytest.raises(PermissionError) as caught:
        await client.calls.download_audio(SAMPLE_CALL_ID, target)
    assert caught.value.filename == str(target)
    assert ".part" not in str(caught.value)
    assert caught.value.__cause__ is None
