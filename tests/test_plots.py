"""Figures: their content (bars, labels, colours), not their pixels."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

import framing  # noqa: E402
from framing import plots  # noqa: E402

K, D, R, N = "Kremlin readout", "Downing Street readout", "Sergey Ryabkov", "narrator"


@pytest.fixture(autouse=True)
def _fresh() -> None:
    plots.reset_palette()
    yield
    plt.close("all")


SENTENCES = pd.DataFrame({
    "doc_id": "d", "sent_id": [str(i) for i in range(6)], "para": [0, 1, 2, 3, 4, 4],
    "is_title": [True, False, False, False, False, False],
    "source": [N, K, N, K, D, D],
    "text": ["Putin outlines view", "NATO must stop expanding east now.", "The call took place on Monday.",
             "Kiev is sabotaging the Minsk deal.", "Johnson urged diplomacy.",
             "He backed Ukraine's sovereignty."],
})


def _stance() -> pd.DataFrame:
    return pd.DataFrame({"source": [K, K, D, D], "target": ["nato", "ukraine"] * 2, "n": [5, 5, 2, 2],
                         "mean": [0.32, -0.5, -0.1, 0.4], "ci_low": [-0.1, -0.8, -0.6, 0.1],
                         "ci_high": [0.61, -0.2, 0.4, 0.7], "too_small": [False, False, True, True]})


def test_framing_plots_is_reachable_from_the_package() -> None:
    assert framing.plots is plots


def test_palette_is_colour_blind_safe_stable_and_grey_for_the_outlet() -> None:
    import seaborn as sns

    first = plots.palette([K, N, D])
    assert first[N] == plots.GREY
    assert set(first.values()) <= set(sns.color_palette("colorblind", 10).as_hex())
    assert len(set(first.values())) == 3
    assert plots.palette([R, D])[D] == first[D]  # same colour when seen again with other sources


def test_stance_heatmap_annotates_mean_and_interval_and_marks_small_groups() -> None:
    fig, ax = plots.stance_heatmap(_stance())
    texts = [t.get_text() for t in ax.texts]
    assert "+0.32\n[\u22120.10, +0.61]" in texts
    assert len([t for t in texts if "[" in t]) == 4
    rows = [t.get_text() for t in ax.get_yticklabels()]
    assert rows == [f"{K} (n = 5)", f"{D} (n = 2) \u2020"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["nato", "ukraine"]
    assert "stance" in ax.get_title().lower()


def test_stance_heatmap_says_when_there_is_no_interval() -> None:
    t = _stance().assign(ci_low=[None, -0.8, -0.6, 0.1], ci_high=[None, -0.2, 0.4, 0.7])
    _, ax = plots.stance_heatmap(t)
    assert "+0.32\n(no interval)" in [x.get_text() for x in ax.texts]


def _profile() -> pd.DataFrame:
    return pd.DataFrame({
        "source": [K] * 3 + [D] * 3 + [N] * 3, "frame": ["legality", "political", "economic"] * 3,
        "n": [5] * 3 + [2] * 3 + [1] * 3, "share": [0.6, 0.3, 0.1, 0.2, 0.7, 0.05, 0.3, 0.3, 0.3],
        "ci_low": [0.5, 0.2, 0.0, 0.1, 0.6, 0.0, 0.3, 0.3, 0.3],
        "ci_high": [0.7, 0.4, 0.2, 0.3, 0.8, 0.1, 0.3, 0.3, 0.3],
    })


@pytest.mark.parametrize(("top", "frames_shown"), [(None, 3), (2, 2), (1, 1)])
def test_frame_profile_chart_has_one_bar_per_group_and_frame(top, frames_shown) -> None:
    _, ax = plots.frame_profile_chart(_profile(), top=top)
    assert len(ax.patches) == 3 * frames_shown
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0] == "political" and len(labels) == frames_shown  # largest share (0.7) first


def test_distinctive_words_chart_diverges_and_colours_by_group() -> None:
    s = pd.DataFrame({"sent_id": ["1", "2"], "doc_id": "d", "source": [K, D],
                      "text": ["nato expansion nato threat", "diplomacy talks diplomacy"]})
    words = framing.distinctive_words(s, K, D)
    _, ax = plots.distinctive_words_chart(words, n=2)
    assert len(ax.patches) == 4
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0] == "nato" and labels[-1] == "diplomacy"
    pal = plots.palette([K, D])
    colours = [to_hex(p.get_facecolor()) for p in ax.patches]
    assert colours[:2] == [pal[K]] * 2 and colours[2:] == [pal[D]] * 2
    assert [p.get_width() > 0 for p in ax.patches] == [True, True, False, False]


def test_prominence_chart_draws_every_sentence_in_order_with_a_legend() -> None:
    fig, ax = plots.prominence_chart(framing.reading_order(SENTENCES))
    assert len(ax.patches) == 6
    pal = plots.palette(SENTENCES["source"])
    assert [to_hex(p.get_facecolor()) for p in ax.patches] == [pal[s] for s in SENTENCES["source"]]
    widths = [p.get_width() for p in ax.patches]
    assert widths == [3, 6, 6, 6, 3, 4]  # words; "Ukraine's" is one
    legend = fig.legends[0] if fig.legends else ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == [N, K, D]


def test_prominence_chart_needs_the_reading_order_table() -> None:
    with pytest.raises(KeyError, match=r"framing\.reading_order"):
        plots.prominence_chart(SENTENCES)


def test_one_colour_per_source_across_figures() -> None:
    _, ax1 = plots.prominence_chart(framing.reading_order(SENTENCES))
    _, ax2 = plots.frame_profile_chart(_profile())
    first_k = next(to_hex(p.get_facecolor()) for p, s in zip(ax1.patches, SENTENCES["source"], strict=True)
                   if s == K)
    k_bars = ax2.containers[[c.get_label() for c in ax2.containers].index(f"{K} (n = 5)")]
    assert {to_hex(p.get_facecolor()) for p in k_bars} == {first_k}


def test_marker_table_view_escapes_text_and_marks_groups() -> None:
    s = SENTENCES.assign(text=SENTENCES["text"].where(SENTENCES["sent_id"] != "3",
                                                      "<script>x</script> Kiev is alleged to stall."))
    table = framing.marker_table(framing.find_markers(s), s)
    html = plots.marker_table_view(table).to_html()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert plots.palette([K])[K] in html
    assert "Kiev (1)" in html


def test_save_figure_writes_identical_bytes_for_the_same_figure(tmp_path) -> None:
    import matplotlib.pyplot as plt

    def draw():
        fig, ax = plt.subplots()
        ax.bar(["a", "b"], [1, 2])
        return fig

    first = plots.save_figure(draw(), "bars", folder=tmp_path / "one").read_bytes()
    second = plots.save_figure(draw(), "bars", folder=tmp_path / "two").read_bytes()
    assert first[:8] == b"\x89PNG\r\n\x1a\n" and first == second


def test_save_figure_needs_a_folder() -> None:
    with pytest.raises(TypeError, match="folder"):
        plots.save_figure(plt.figure(), "x")  # type: ignore[call-arg]


@pytest.mark.parametrize("name", ["../x", "a/b", ""])
def test_save_figure_refuses_names_that_are_paths(tmp_path, name) -> None:
    import matplotlib.pyplot as plt

    with pytest.raises(ValueError, match="plain file name"):
        plots.save_figure(plt.figure(), name, folder=tmp_path)


def test_stance_heatmap_hatches_and_marks_cells_with_too_few_documents() -> None:
    t = pd.DataFrame({"outlet": ["X", "X", "Y", "Y"], "target": ["nato", "ukraine"] * 2, "n": [9, 9, 6, 6],
                      "mean": [0.3, -0.2, 0.1, 0.5], "ci_low": [0.1, -0.4, None, None],
                      "ci_high": [0.5, 0.0, None, None], "too_small": False,
                      "few_documents": [False, False, True, True]})
    fig, ax = plots.stance_heatmap(t, by="outlet")
    texts = [x.get_text() for x in ax.texts]
    assert "+0.10\n(no interval) \u2021" in texts and "+0.30\n[+0.10, +0.50]" in texts
    hatched = [p for p in ax.patches if p.get_hatch()]
    assert sorted((p.get_x(), p.get_y()) for p in hatched) == [(0, 1), (1, 1)]  # row Y, both targets
    assert any("too few documents" in a.get_text() for a in ax.texts + [c for c in ax.get_children()
                                                                          if hasattr(c, "get_text")])


def test_outlet_source_chart_stacks_each_outlets_word_shares_in_source_colours() -> None:
    t = pd.DataFrame({"outlet": ["X", "X", "Y"], "source": [K, D, K], "outlet_documents": [3, 3, 1],
                      "word_share": [0.7, 0.3, 1.0]})
    colours = plots.palette([K, D])
    fig, ax = plots.outlet_source_chart(t)
    assert [x.get_text() for x in ax.get_yticklabels()] == ["X (3 articles)", "Y (1 article)"]
    widths = {(round(p.get_y() + p.get_height() / 2), to_hex(p.get_facecolor())): p.get_width()
              for p in ax.patches}
    assert widths[(0, colours[K])] == pytest.approx(0.7) and widths[(1, colours[K])] == pytest.approx(1.0)
    assert widths[(0, colours[D])] == pytest.approx(0.3)
    assert "70%" in [x.get_text() for x in ax.texts]
