"""``nanobanana generate / status / list / resume`` over one profile, against the sandbox."""

from __future__ import annotations

import base64
import io
import json
import os
import random
from pathlib import Path

from PIL import Image

from nanobanana_desktop.cli import main
from nanobanana_desktop.engine.metadata import read_metadata

KEY = "dk-cli-tests-000000000001"


def use_key(monkeypatch) -> None:
    monkeypatch.setenv("NANOBANANA_API_KEY", KEY)


def test_generate_prints_saved_paths_and_progress(sandbox, monkeypatch, capsys):
    use_key(monkeypatch)
    code = main(
        [
            "generate",
            "a lemon, studio light",
            "--base-url",
            sandbox.api_url,
            "--aspect-ratio",
            "16:9",
        ]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    [line] = out.split()
    saved = Path(line)
    assert saved.is_file() and saved.is_relative_to(Path(os.environ["NANOBANANA_LIBRARY"]))
    with Image.open(saved) as image:
        assert image.size == (1376, 768)
    assert "task 1: done" in err
    meta = read_metadata(saved.read_bytes())
    assert meta is not None and meta.aspect_ratio == "16:9"


def test_failed_generation_exits_1_with_the_reason(sandbox, monkeypatch, capsys):
    use_key(monkeypatch)
    sandbox.config.faults.fail_task.count = 1
    code = main(["generate", "a lemon", "--base-url", sandbox.api_url])
    out, err = capsys.readouterr()
    assert code == 1
    assert out == ""
    assert "could not generate an image" in err


def test_local_reference_is_downscaled_to_fit_and_said(sandbox, monkeypatch, capsys, tmp_path):
    use_key(monkeypatch)
    rng = random.Random(7)
    # Noise does not compress: even as JPEG it needs fewer pixels to fit 5 MB.
    noisy = Image.frombytes("RGB", (3200, 3200), rng.randbytes(3200 * 3200 * 3))
    big = tmp_path / "texture.png"
    noisy.save(big, compress_level=1)
    assert big.stat().st_size > 5 * 1024 * 1024
    code = main(["generate", "in this texture", "--ref", str(big), "--base-url", sandbox.api_url])
    _out, err = capsys.readouterr()
    assert code == 0, err
    assert "downscaled from 3200x3200" in err
    [task] = sandbox.sandbox.book.tasks.values()
    [sent] = task.images
    header, payload = sent.split(",", 1)
    assert header.startswith("data:image/")
    decoded = base64.b64decode(payload)
    assert len(decoded) <= 5 * 1024 * 1024
    with Image.open(io.BytesIO(decoded)) as image:
        assert image.width < 3200


def test_unreadable_reference_file_is_refused_before_sending(
    sandbox, monkeypatch, capsys, tmp_path
):
    use_key(monkeypatch)
    fake = tmp_path / "photo.png"
    fake.write_bytes(b"PK\x03\x04 this is a zip file")
    code = main(["generate", "x", "--ref", str(fake), "--base-url", sandbox.api_url])
    assert code == 2
    assert "photo.png is not an image" in capsys.readouterr().err
    assert sandbox.records.requests_to("api") == []


def test_no_wait_then_status_list_and_resume(sandbox, monkeypatch, capsys):
    use_key(monkeypatch)
    sandbox.config.in_progress_seconds = 0.3
    assert (
        main(["generate", "later", "--count", "2", "--no-wait", "--base-url", sandbox.api_url]) == 0
    )
    rows = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    assert [r[0] for r in rows] == ["1", "2"] and all(r[1].startswith("ta") for r in rows)

    assert main(["list", "--active", "--base-url", sandbox.api_url]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert len(listed) == 2 and all("later" in line for line in listed)

    assert main(["resume", "--base-url", sandbox.api_url]) == 0
    out, err = capsys.readouterr()
    assert len(out.split()) == 2 and "resuming 2 tasks" in err

    assert main(["status", rows[0][1], "--base-url", sandbox.api_url]) == 0
    status = capsys.readouterr().out
    assert status.startswith("task 1 (") and ": done" in status and "image 1:" in status
    assert len(sandbox.records.requests_to("api", "/api/image/gen")) == 2


def test_generate_against_an_in_process_sandbox(capsys):
    code = main(["generate", "no account needed", "--sandbox"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert Path(out.strip()).is_file()


def test_status_of_an_unknown_task_says_so(capsys):
    assert main(["status", "ta-nope", "--sandbox"]) == 2
    assert "no task 'ta-nope'" in capsys.readouterr().err


def test_invalid_prompt_is_refused_with_the_field(capsys, sandbox, monkeypatch):
    use_key(monkeypatch)
    assert main(["generate", "   ", "--base-url", sandbox.api_url]) == 2
    assert "prompt: write a prompt" in capsys.readouterr().err
    assert json.dumps([]) == json.dumps([r.path for r in sandbox.records.requests_to("api")])
