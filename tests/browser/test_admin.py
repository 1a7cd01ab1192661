"""Administrator journeys: the event log read by operator and by record, at a laptop's and a phone's
width; the organisation picker found by typing part of a name and by browsing the tree, with the
plain select behind it still the form's field."""
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

from browser import BrowserTest, submit


class AuditLogJourney(BrowserTest):
    def test_the_log_by_operator_and_by_record(self):
        self.login("admin")
        self.go("/admin/audit")
        body = self.text()
        self.assertIn("事件日志", body)
        self.assertNotIn("case #", body)
        self.shot("admin-01-audit-log")
        # The agent's events: every row is the agent's.
        self.go("/admin/audit?actor=agent&per=20")
        rows = self.d.find_elements(By.CSS_SELECTOR, "table.audit tbody tr")
        self.assertTrue(rows)
        self.shot("admin-02-audit-by-operator")
        # A ticket's events, from the record's own filter link.
        link = self.d.find_element(By.CSS_SELECTOR, "table.audit tbody tr td a[title='只看此对象的事件']")
        submit(self.d, link)
        self.assertIn("record=", self.d.current_url)
        self.assertIn("12345", self.text())
        self.shot("admin-03-audit-one-record")
        # A period that ends before it starts is refused on its field.
        self.go("/admin/audit?from=2026-03-02&to=2026-03-01")
        self.assertIn("截止日期不能早于起始日期", self.text())


class AuditLogOnAPhone(BrowserTest):
    width, height = 390, 844

    def test_the_log_on_a_phone(self):
        self.login("admin")
        self.go("/admin/audit?per=20")
        self.assertIn("事件日志", self.text())
        self.shot("admin-04-audit-phone")


class OrgPickerJourney(BrowserTest):
    def test_type_part_of_a_name_or_browse_the_tree(self):
        self.login("admin")
        self.go("/admin/users/new")
        select = self.d.find_element(By.ID, "org_code")
        box = self.d.find_element(By.ID, "org_code-search")
        self.assertFalse(select.is_displayed(), "the select waits behind the picker")
        box.send_keys("住建")
        WebDriverWait(self.d, 5).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".orgpick-list .orgpick-item"))
        items = self.d.find_elements(By.CSS_SELECTOR, ".orgpick-list .orgpick-item")
        self.assertTrue(any("住房和城乡建设" in i.text for i in items), [i.text for i in items])
        self.shot("admin-05-picker-typed")
        box.send_keys(Keys.ENTER)
        self.assertNotEqual(Select(select).first_selected_option.get_attribute("value"), "")
        self.assertIn("住房和城乡建设", box.get_attribute("value"))
        # Browse: the tree from the city down, a town opened to its villages.
        self.d.find_element(By.CSS_SELECTOR, ".orgpick-browse").click()
        town = [i for i in self.d.find_elements(By.CSS_SELECTOR, ".orgpick-list .orgpick-item") if i.text.strip().endswith("东湖镇")][0]
        town.find_element(By.CSS_SELECTOR, "button.orgpick-toggle").click()
        self.assertIn("村", self.d.find_element(By.CSS_SELECTOR, ".orgpick-list").text)
        town = [i for i in self.d.find_elements(By.CSS_SELECTOR, ".orgpick-list .orgpick-item") if i.text.strip().endswith("东湖镇")][0]
        self.d.execute_script("arguments[0].scrollIntoView({block: 'start'})", town)
        self.shot("admin-06-picker-tree")
        # A village by part of its name shows the town it belongs to.
        box.send_keys(Keys.CONTROL, "a")
        box.send_keys("村")
        WebDriverWait(self.d, 5).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".orgpick-list .orgpick-path"))
        paths = [p.text for p in self.d.find_elements(By.CSS_SELECTOR, ".orgpick-list .orgpick-path")]
        self.assertTrue(any("镇" in p for p in paths), paths)


class OrgPickerOnAPhone(BrowserTest):
    width, height = 390, 844

    def test_the_picker_on_a_phone(self):
        self.login("dispatcher")
        self.go("/hotline/tickets")
        box = self.d.find_element(By.ID, "org-search")
        self.d.execute_script("arguments[0].scrollIntoView({block: 'center'})", box)
        box.send_keys("镇")
        WebDriverWait(self.d, 5).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".orgpick-list .orgpick-item"))
        self.shot("admin-07-picker-phone")
        box.send_keys(Keys.ARROW_DOWN, Keys.ENTER)
        submit(self.d, self.d.find_element(By.CSS_SELECTOR, "form.filters button[type=submit]"))
        self.assertIn("org=", self.d.current_url)
