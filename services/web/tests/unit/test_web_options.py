"""Select options and checkbox groups, escaped once and marked per render."""

from activateurs.web.options import checkbox_items, option_tags

PLACES = (("75", "Paris"), ("974", "La Réunion"), ("2A", "Corse <du Sud> & \"co\""))


def test_the_chosen_option_alone_is_selected() -> None:
    html = option_tags(PLACES, "974")
    assert html.count("selected") == 1
    assert '<option selected value="974">La Réunion</option>' in html
    assert '<option value="75">Paris</option>' in html


def test_no_option_is_selected_for_an_empty_or_unknown_value() -> None:
    assert "selected" not in option_tags(PLACES, "")
    assert "selected" not in option_tags(PLACES, "99")


def test_codes_and_texts_are_escaped() -> None:
    html = option_tags(PLACES)
    assert "Corse &lt;du Sud&gt; &amp; &#34;co&#34;" in html
    assert "<du Sud>" not in html


def test_a_later_render_does_not_keep_an_earlier_selection() -> None:
    option_tags(PLACES, "75")
    assert "selected" not in option_tags(PLACES, "")


def test_checkboxes_are_numbered_and_checked_as_chosen() -> None:
    html = checkbox_items("domain", PLACES, ["75", "2A"])
    assert html.count(" checked") == 2
    assert 'id="domain-2" type="checkbox" value="974">' in html
    assert 'id="domain-1" type="checkbox" value="75" checked>' in html
    assert '<label class="fr-label" for="domain-3">' in html


def test_checkbox_groups_with_the_same_options_keep_their_own_names() -> None:
    assert 'name="service" id="service-1"' in checkbox_items("service", PLACES)
    assert 'name="domain" id="domain-1"' in checkbox_items("domain", PLACES)
    assert "checked" not in checkbox_items("domain", PLACES, None)
    assert "fr-fieldset__element--inline" in checkbox_items("domain", PLACES, (), True)
