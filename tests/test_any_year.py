"""Other years, other campaigns, files without a money unit: defaults come from the data, and
what is missing is said on the command line and on the page."""

from __future__ import annotations

import nbformat
import pandas as pd
import pytest
from conftest import small_sample

from thads_analysis import cli
from thads_analysis.analysis.campaign import DEFAULT_CAMPAIGN
from thads_analysis.analysis.pipeline import prepare, scorecard
from thads_analysis.ingest.schema import DataError
from thads_analysis.reporting.report import ProvinceReport


def a_year_later(folder):
    """The sample's monthly files of Nam Định and Hà Nội moved one statistical year on (2017 → 2018)."""
    source = small_sample(folder / "source", ["01", "36"])
    out = folder / "later"
    out.mkdir()
    for path in source.glob("thads_monthly_*.csv"):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        moved = pd.to_datetime(frame["period_end"]) + pd.DateOffset(years=1) + pd.offsets.MonthEnd(0)
        frame.assign(period_end=moved.dt.strftime("%Y-%m-%d")).to_csv(out / f"later_{path.name}", index=False)
    return out


def test_the_default_year_is_the_latest_in_the_data(tmp_path, capsys):
    later = a_year_later(tmp_path)
    analysis = prepare(later)
    assert analysis.year == 2018 and analysis.period_end == pd.Timestamp("2018-09-30")
    assert cli.main(["summary", "--province", "36", "--data", str(later)]) == 0
    err = capsys.readouterr().err
    assert "no targets for statistical year 2018" in err and "the file has targets for: 2017" in err
    header = ProvinceReport("36", data_path=str(later)).header().data
    assert "không có chỉ tiêu nào cho năm thống kê 2018" in header


def test_a_campaign_file_of_ones_own(tmp_path):
    text = DEFAULT_CAMPAIGN.read_text(encoding="utf-8")
    own = tmp_path / "dot_thi_dua.yaml"
    own.write_text(text.replace('start: "01/03/2017"', 'start: "01/04/2017"')
                   .replace('end: "30/09/2017"', 'end: "30/06/2017"'), encoding="utf-8")
    section = ProvinceReport("36", campaign_path=str(own)).campaign().data
    assert "01/04/2017–30/06/2017" in section and "01/03/2017–30/09/2017" not in section
    assert "confirmed: false" in text and "(dot_thi_dua.yaml)" in section  # an unconfirmed window names its file
    # Through the batch: the file is copied into the report's inputs and named in its parameters.
    out = tmp_path / "out"
    assert cli.main(["report", "--province", "36", "--campaign", str(own), "--out", str(out), "--quiet"]) == 0
    notebook = nbformat.read(out / "2017-09-30" / "36-nam-dinh.ipynb", as_version=4)
    used = notebook.metadata["papermill"]["parameters"]["campaign_path"]
    assert used.startswith("inputs/") and used.endswith("/campaign/dot_thi_dua.yaml")
    assert (out / "2017-09-30" / used).read_text(encoding="utf-8") == own.read_text(encoding="utf-8")
    assert "01/04/2017–30/06/2017" in (out / "2017-09-30" / "36-nam-dinh.html").read_text(encoding="utf-8")


def test_the_money_unit_as_a_notebook_parameter(tmp_path):
    folder = small_sample(tmp_path / "no_unit", ["01", "36"])
    for path in folder.glob("*.csv"):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        frame.drop(columns=[c for c in ("unit",) if c in frame]).to_csv(path, index=False)
    with pytest.raises(DataError, match="unit"):
        ProvinceReport("36", data_path=str(folder))
    card = ProvinceReport("36", data_path=str(folder), money_unit="đồng").card.set_index("indicator")
    raw = pd.read_csv(folder / "thads_monthly_2017.csv", dtype=str)
    end = raw[(raw.province_code == "36") & (raw.period_end == "2017-09-30") & (raw.measure == "money")
              & (raw.category == "all")].iloc[0]
    assert card.at["completion_rate_money", "numerator"] == int(end.completed) + int(end.terminated)


def test_standing_targets_without_their_data_say_what_is_missing(tmp_path):
    folder = small_sample(tmp_path / "no_standing", ["01", "36"])
    (folder / "thads_standing_2016_2017.csv").unlink()
    rows = scorecard(prepare(folder), "36").set_index("indicator")
    on_time = rows.loc["decisions_on_time_rate"]
    assert pd.isna(on_time["actual"]) and on_time["status"] == "no_data"
    assert on_time["note"] == ("không có số liệu chỉ tiêu thường xuyên ngày 30/09/2017 (Số quyết định ra đúng thời "
                               "hạn, Số quyết định thi hành án đã ra)")
    assert rows.loc["disciplined_staff_change", "note"].endswith("(Số công chức bị xử lý kỷ luật)")
    assert rows.loc[rows["actual"].isna(), "note"].str.len().gt(0).all()
