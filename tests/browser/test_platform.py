"""Platform journeys: the rule-of-law office sees overdue work of every unit on its 工作台 and puts
a case under supervision from there; the unit finds the notice; an indicator is read by channel
(the 市长信箱 apart), its value opened to the records behind it; the demo phone shows the text
message a caller received."""
import datetime

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from browser import BrowserTest, submit


class OversightJourney(BrowserTest):
    def test_office_supervises_from_its_workbench(self):
        self.login("sfj")
        body = self.text()
        self.assertIn("监督·已超期", body)
        self.shot("platform-01-office-workbench")
        # The most overdue unsupervised case with a 督办 form, or take the list by unit.
        forms = self.d.find_elements(By.CSS_SELECTOR, "details.inline-form")
        if not forms:
            self.go("/?view=o_soon")
            forms = self.d.find_elements(By.CSS_SELECTOR, "details.inline-form")
        self.assertTrue(forms, "an open case the office may supervise")
        row = forms[0].find_element(By.XPATH, "./ancestor::tr")
        case_no = row.find_element(By.CSS_SELECTOR, "td.mono a").text
        forms[0].find_element(By.TAG_NAME, "summary").click()
        forms[0].find_element(By.NAME, "reason").send_keys("请三个工作日内办结并报告")
        submit(self.d, forms[0].find_element(By.CSS_SELECTOR, "button[type=submit]"))
        self.wait_text(f"已督办 {case_no}")
        self.shot("platform-02-supervised")
        self.go("/?view=o_supervised")
        self.assertIn(case_no, self.text())

    def test_indicator_by_channel_and_its_records(self):
        self.login("sfj")
        self.go("/indicators")
        self.assertIn("一、健全政府机构职能体系", self.text())
        self.shot("platform-03-indicators")
        today = datetime.date.today()
        start = today.replace(year=today.year - 1)
        self.go(f"/indicators/hotline.received?from={start}&to={today}")
        Select(self.d.find_element(By.ID, "f-by")).select_by_value("channel")
        submit(self.d, self.d.find_element(By.CSS_SELECTOR, "form.filters button[type=submit]"))
        self.wait_text("市长信箱")
        self.shot("platform-04-indicator-by-channel")
        row = [tr for tr in self.d.find_elements(By.CSS_SELECTOR, "main table tbody tr") if tr.text.startswith("市长信箱")][0]
        count = int(row.find_elements(By.CSS_SELECTOR, "td.num a")[0].text)
        self.assertGreater(count, 0)
        row.find_elements(By.CSS_SELECTOR, "td.num a")[0].click()
        self.wait_text("登记的诉求")
        self.assertIn(f"共 {count} 条", self.text())
        self.shot("platform-05-indicator-records")


class DemoPhoneJourney(BrowserTest):
    width, height = 390, 844

    def test_the_demo_phone_shows_the_callers_message(self):
        # A caller's ticket is accepted by the agent; the caller's phone receives the number.
        self.login("agent")
        self.go("/hotline/new")
        self.d.find_element(By.NAME, "caller_phone").send_keys("13800138123")
        Select(self.d.find_element(By.NAME, "category_id")).select_by_index(1)
        Select(self.d.find_element(By.NAME, "town_id")).select_by_index(1)
        self.d.find_element(By.NAME, "description").send_keys("小区门口路灯不亮已经一周，请尽快修理。")
        accept = self.d.find_element(By.NAME, "accept_now")
        if not accept.is_selected():
            accept.click()
        submit(self.d, self.d.find_element(By.CSS_SELECTOR, "form button.primary[type=submit]"))
        self.wait_text("办理过程")
        case_no = self.d.find_element(By.CSS_SELECTOR, ".record-head .no").text
        self.logout()
        self.go("/demo/phone?phone=13800138123")
        self.wait_text(case_no)
        self.assertIn("已受理", self.text())
        self.shot("platform-06-demo-phone")
