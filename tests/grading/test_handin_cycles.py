"""The learner's hand-in zip, made by the hand-in cell of a real kernel and saved as Jupyter
saves a notebook, three times over."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import nbclient
import nbformat
import pytest

FIXTURE = Path(__file__).parent / "fixtures" / "handin-cell.ipynb"

pytestmark = pytest.mark.slow


def test_hand_in_is_exact_and_does_not_grow_over_three_save_and_run_cycles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run the hand-in cell and save the notebook with its output, three times: does the zip
    always hold exactly the files on disk (never an earlier zip), keep its size, and show a
    French link with no PosixPath line under it?"""
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).parents[2]))
    notebook = tmp_path / "01-welcome.ipynb"
    notebook.write_bytes(FIXTURE.read_bytes())
    (tmp_path / ".learnpacks-answers.json").write_text('{"version": 1, "notebooks": {}}')
    zip_path = tmp_path / "ada-lovelace--welcome.zip"
    sizes = []
    for _ in range(3):
        on_disk = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.suffix != ".zip"}
        nb = nbformat.read(notebook, as_version=4)
        nbclient.NotebookClient(
            nb, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
        ).execute()
        with zipfile.ZipFile(zip_path) as zf:
            names = set(zf.namelist())
            assert not any(n.endswith(".zip") for n in names)
            for name, data in on_disk.items():
                assert zf.read(name) == data, name
            assert names == set(on_disk) | {"learnpacks-handin.json"}
        sizes.append(zip_path.stat().st_size)
        outputs = nb.cells[1].outputs
        assert [o.output_type for o in outputs] == ["display_data"]
        shown = outputs[0].data["text/html"]
        assert "Télécharger ada-lovelace--welcome.zip" in shown and "base64" not in shown
        nbformat.write(nb, notebook)  # what Ctrl+S does after the run
    assert abs(sizes[2] - sizes[1]) < 256, sizes
    assert os.path.getsize(notebook) < 8_000
