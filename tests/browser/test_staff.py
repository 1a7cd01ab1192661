"""Staff journey: log in → 工作台 → open a case → take a step → see it on the timeline;
a refused step shows its reason and its legal basis."""
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from browser import BrowserTest


class StaffJourney(BrowserTest):
    def test_workbench_to_timeline(self):
        self.login("zjj_staff")
        self.assertIn("工作台", self.d.title)
        self.shot("staff-01-workbench")
        rows = self.d.find_elements(By.CSS_SELECTOR, "main table tbody tr td a")
        self.assertTrue(rows, "the 工作台 lists the unit's work")
        # Open the first case in 待签收 or 办理中.
        target = None
        for tr in self.d.find_elements(By.CSS_SELECTOR, "main table tbody tr"):
            if "待签收" in tr.text:
                target = tr.find_element(By.CSS_SELECTOR, "td a")
                break
        self.assertIsNotNone(target, "a ticket waiting to be signed")
        target.click()
        self.wait_text("办理过程")
        self.shot("staff-02-ticket")
        step = self.open_step("签收")
        step.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        self.wait_text("已签收")
        timeline = self.d.find_element(By.CSS_SELECTOR, "ul.timeline").text
        self.assertIn("签收", timeline)
        self.assertIn("钱安居", timeline, "the timeline names who did it")
        # A refused step: a reply without content.
        step = self.open_step("答复")
        step.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        self.wait_text("未能办理")
        body = self.text()
        self.assertIn("请填写答复内容", body)
        self.assertIn("依据", body)
        self.assertNotIn("已签收：", body, "a flash message is shown once")
        self.shot("staff-03-refused")

    def test_phone_width_ticket_list(self):
        self.d.set_window_size(390, 844)
        self.login("dispatcher")
        self.go("/hotline/tickets")
        self.shot("staff-04-list-phone")
        self.assertIn("热线工单", self.text())
