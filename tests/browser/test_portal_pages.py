"""Pages reviewed in issue 10: the portal search on a phone (one box, filters behind 筛选), the
procedure diagrams at laptop width (drawn across the card, nothing clipped), and a publication
with its print view."""
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from browser import BrowserTest


class PortalSearchOnAPhone(BrowserTest):
    width, height = 390, 844

    def test_one_box_then_filters(self):
        self.go("/portal/disclosure/search")
        box = self.d.find_element(By.CSS_SELECTOR, "input[type=search][name=q]")
        self.assertTrue(box.is_displayed())
        # The filters wait behind 筛选: not shown until asked for.
        self.assertFalse(self.d.find_element(By.NAME, "category").is_displayed())
        self.shot("portal-search-01-box")
        box.send_keys("征收")
        self.d.find_element(By.CSS_SELECTOR, ".search-box button[type=submit]").click()
        self.wait_text("条结果")
        self.shot("portal-search-02-results")
        self.d.find_element(By.CSS_SELECTOR, "details.search-filters > summary").click()
        sel = Select(self.d.find_element(By.NAME, "category"))
        labels = [o.text for o in sel.options]
        self.assertIn("土地征收（市级）", labels)
        self.assertIn("土地征收（乡镇）", labels)
        sel.select_by_visible_text("土地征收（乡镇）")
        self.shot("portal-search-03-filters")
        self.d.find_element(By.CSS_SELECTOR, "details.search-filters button[type=submit]").click()
        self.wait_text("已筛选")
        self.assertIn("筛选（已选 1 项）", self.text())
        self.shot("portal-search-04-filtered")


class ProcedureDiagrams(BrowserTest):
    width, height = 1366, 900

    def test_diagrams_use_the_card(self):
        self.login("admin")
        for code in ["hotline", "disclosure"]:
            self.go(f"/procedures/{code}")
            card = self.d.find_element(By.CSS_SELECTOR, ".diagram")
            svg = card.find_element(By.CSS_SELECTOR, "svg.procedure-diagram")
            inner = self.d.execute_script(
                "const s = getComputedStyle(arguments[0]); return arguments[0].clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight)", card)
            self.assertGreater(svg.size["width"], inner - 2, f"{code}: the drawing fills the card")
            self.assertEqual(self.d.execute_script("return arguments[0].scrollWidth <= arguments[0].clientWidth", card), True, f"{code}: nothing to scroll")
            # Every label lies inside the drawing.
            outside = self.d.execute_script("""
                const svg = arguments[0], box = svg.viewBox.baseVal, out = [];
                for (const t of svg.querySelectorAll('text')) {
                  const b = t.getBBox();
                  if (b.x < box.x || b.y < box.y || b.x + b.width > box.x + box.width || b.y + b.height > box.y + box.height) out.push(t.textContent);
                }
                return out;""", svg)
            self.assertEqual(outside, [], f"{code}: labels outside the drawing")
            self.d.execute_script("arguments[0].scrollIntoView(); window.scrollBy(0, -60)", card)
            self.shot(f"procedure-{code}-1366")


class PublicationPrintView(BrowserTest):
    width, height = 1366, 900

    def test_a_publication_and_its_print_view(self):
        # A penalty decision: it has a 文号, and the organ signs below the text.
        self.go("/portal/disclosure/search?q=行政处罚决定书")
        self.d.find_element(By.CSS_SELECTOR, ".hit h3 a").click()
        self.wait_text("索引号")
        text = self.text()
        for label in ["索引号", "主题分类", "发文机关", "成文日期", "文号", "发布日期"]:
            self.assertIn(label, text)
        self.assertIn("示范市", self.d.find_element(By.CSS_SELECTOR, ".doc-sign").text)
        self.shot("publication-01-page")
        # Printed: only the document, without the site's header, footer and buttons.
        self.d.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        self.assertFalse(self.d.find_element(By.CSS_SELECTOR, ".portal-top").is_displayed())
        self.assertFalse(self.d.find_element(By.CSS_SELECTOR, "[data-print]").is_displayed())
        self.assertTrue(self.d.find_element(By.CSS_SELECTOR, ".doc-meta").is_displayed())
        self.shot("publication-02-print")
        self.d.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
        self.d.set_window_size(390, 844)
        self.shot("publication-03-phone")
