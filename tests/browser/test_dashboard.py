"""The 驾驶舱 (leadership dashboard): the rule-of-law office's head opens it on a laptop, follows a
figure to the records behind it, narrows to one unit, opens the overdue work; the same page on a
phone. A department's clerk without kpi_read has no entry and is refused."""
from selenium.webdriver.common.by import By

from browser import BrowserTest, submit, pick_org


class DashboardLaptop(BrowserTest):
    width, height = 1366, 768

    def test_panels_link_to_records_and_narrow_to_a_unit(self):
        d = self.d
        self.login("sfj")
        nav = [a.text for a in d.find_elements(By.CSS_SELECTOR, "nav a")]
        self.assertIn("驾驶舱", nav)
        self.go("/dashboard")
        self.wait_text("已超期未办结")
        self.assertIn("上年同期", self.text())
        panels = d.find_elements(By.CSS_SELECTOR, "section.dash-panel")
        self.assertGreater(len(panels), 2)
        self.assertTrue(d.find_elements(By.CSS_SELECTOR, "svg.dash-bars rect.b-now"))
        self.shot("dashboard-laptop")
        # A figure opens the records behind it.
        value = d.find_element(By.CSS_SELECTOR, ".dash-tile .dash-value a")
        href = value.get_attribute("href")
        self.assertIn("/records?", href)
        value.click()
        self.wait_text("编号")
        self.assertIn("编号", self.text())
        self.shot("dashboard-drilldown")
        # One unit.
        self.go("/dashboard")
        pick_org(d, d.find_element(By.ID, "d-org"), "市住房和城乡建设局")
        submit(d, d.find_element(By.CSS_SELECTOR, "form.filters button[type=submit]"))
        self.wait_text("已超期未办结")
        self.assertIn("org=", d.current_url)
        self.shot("dashboard-unit")
        # The overdue work, by procedure, and its list.
        d.find_element(By.CSS_SELECTOR, "a.stat.over").click()
        self.wait_text("已超期未办结（截至")
        self.shot("dashboard-overdue")

    def test_a_clerk_without_kpi_read_has_no_dashboard(self):
        self.login("zjj_staff")
        self.assertNotIn("驾驶舱", [a.text for a in self.d.find_elements(By.CSS_SELECTOR, "nav a")])
        self.go("/dashboard")
        self.assertNotIn("上年同期", self.text())


class DashboardPhone(BrowserTest):
    width, height = 390, 844

    def test_the_dashboard_reads_on_a_phone(self):
        self.login("sfj")
        self.go("/dashboard")
        self.wait_text("已超期未办结")
        self.shot("dashboard-phone")
        # Headless Chromium lays a "390 px" window out at its minimum width: compare with the
        # window itself, as the hotline's phone test does.
        overflow = self.d.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
        self.assertLessEqual(overflow, 0, "no sideways scrolling on a phone")
        panel = self.d.find_element(By.CSS_SELECTOR, "section.dash-panel")
        self.d.execute_script("arguments[0].scrollIntoView()", panel)
        self.shot("dashboard-phone-panel")
