"""The import machinery refuses a file too big to import before reading it whole, whatever size it claims."""

import io
import time
import zipfile

import pytest

from opencities.imports import MAX_IMPORT_BYTES, MAX_IMPORT_ROWS, ImportFileError, read_dataset

NS = "http://schemas.openxmlformats.org/"
PARTS = {
    "[Content_Types].xml": f'<Types xmlns="{NS}package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
    "_rels/.rels": f'<Relationships xmlns="{NS}package/2006/relationships"><Relationship Id="rId1" '
    f'Type="{NS}officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": f'<workbook xmlns="{NS}spreadsheetml/2006/main" xmlns:r="{NS}officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{NS}package/2006/relationships"><Relationship Id="rId1" '
    f'Type="{NS}officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
}


def _row(values, columns=None):
    cells = ""
    for value, column in zip(values, columns or [None] * len(values), strict=True):
        where = f' r="{column}"' if column else ""
        cells += f'<c{where} t="inlineStr"><is><t>{value}</t></is></c>'
    return f"<row>{cells}</row>".encode()


def hand_built_xlsx(header, row, count, *, dimension="", padding=0, columns=None):
    """A workbook built as a zip by hand: `header`, then `row` `count` times (streamed, so it stays small)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, xml in PARTS.items():
            archive.writestr(name, xml)
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(f'<worksheet xmlns="{NS}spreadsheetml/2006/main">'.encode())
            if dimension:
                sheet.write(f'<dimension ref="{dimension}"/>'.encode())
            sheet.write(b"<sheetData>" + _row(header))
            data = _row(row, columns)
            for _number in range(count):
                sheet.write(data)
            for _chunk in range(padding // 1_000_000 + 1 if padding else 0):
                sheet.write(b" " * 1_000_000)
            sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def test_a_small_xlsx_of_300000_rows_is_refused_quickly_after_streaming_at_most_5001(tmp_path):
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(hand_built_xlsx(["slug", "title"], ["a", "b"], 300_000))
    assert path.stat().st_size < 100_000
    started = time.monotonic()
    with pytest.raises(ImportFileError, match="more than 5,000 rows; one import takes at most 5,000"):
        read_dataset(path)
    assert time.monotonic() - started < 5  # reading all 300,000 rows took over a minute


def test_an_xlsx_whose_sheet_unpacks_beyond_the_limit_is_refused_before_parsing(tmp_path):
    path = tmp_path / "padded.xlsx"
    path.write_bytes(hand_built_xlsx(["slug"], ["a"], 1, padding=MAX_IMPORT_BYTES))
    assert path.stat().st_size < 1_000_000
    with pytest.raises(ImportFileError, match=r"unpacks to 6\d\.\d\xa0MB; one import takes at most 64\.0\xa0MB"):
        read_dataset(path)


def test_an_xlsx_of_5000_rows_is_read_whatever_size_its_sheet_claims(tmp_path):
    path = tmp_path / "claims.xlsx"
    path.write_bytes(hand_built_xlsx(["slug", "title"], ["a", "b"], MAX_IMPORT_ROWS, dimension="A1:XFD1048576"))
    dataset = read_dataset(path)
    assert (dataset.headers, len(dataset), dataset[-1]) == (["slug", "title"], 5_000, ("a", "b"))


def test_a_cell_far_to_the_right_does_not_widen_the_rows(tmp_path):
    path = tmp_path / "wide.xlsx"
    path.write_bytes(hand_built_xlsx(["slug", "title"], ["a", "b", "far"], 3, columns=["A2", "B2", "XFD2"]))
    dataset = read_dataset(path)
    assert (dataset.headers, dataset.width, dataset[0]) == (["slug", "title"], 2, ("a", "b"))


def test_a_csv_of_300000_rows_is_refused_after_at_most_5001(tmp_path):
    path = tmp_path / "big.csv"
    path.write_text("slug,title\n" + "a,b\n" * 300_000)
    started = time.monotonic()
    with pytest.raises(ImportFileError, match="more than 5,000 rows; one import takes at most 5,000"):
        read_dataset(path)
    assert time.monotonic() - started < 5


def test_a_csv_beyond_the_size_limit_is_refused_before_parsing(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("slug,title\na," + "b" * MAX_IMPORT_BYTES + "\n")
    with pytest.raises(ImportFileError, match=r"unpacks to 64\.0\xa0MB; one import takes at most 64\.0\xa0MB"):
        read_dataset(path)
