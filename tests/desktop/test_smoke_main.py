"""The main window opens on an archive and shows its parts."""


def test_window_opens(window) -> None:
    assert window.isVisible()
    assert window.library.model.rowCount() == 0
