"""Staff journey: log in → 工作台 → open a case → take a step → see it on the timeline;
a refused step shows its reason and its legal basis. The root address welcomes a visitor with
the portal; the demo's login page lists its accounts; wrong passwords lock one address out of
one account, and an administrator lifts the lock."""
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from browser import PASSWORD, BrowserTest, submit


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

    def test_landing_login_and_locks(self):
        # A visitor at / gets the portal, with the way in for staff.
        self.go("/")
        self.assertIn("工作人员登录", self.text())
        self.shot("staff-05-landing")
        self.d.find_element(By.LINK_TEXT, "工作人员登录").click()
        self.wait_text("演示环境的账号")
        for user in ["admin", "zjj_staff", "inspector"]:
            self.assertIn(user, self.text())
        self.shot("staff-06-login-demo-accounts")
        # Five wrong passwords lock this address out of the account (only this one).
        for _ in range(5):
            self.go("/login")
            self.d.find_element(By.NAME, "username").send_keys("legal")
            self.d.find_element(By.NAME, "password").send_keys("not-the-password")
            submit(self.d, self.d.find_element(By.CSS_SELECTOR, "form.login button[type=submit]"))
        self.go("/login")
        self.d.find_element(By.NAME, "username").send_keys("legal")
        self.d.find_element(By.NAME, "password").send_keys(PASSWORD)
        submit(self.d, self.d.find_element(By.CSS_SELECTOR, "form.login button[type=submit]"))
        self.assertIn("已临时锁定", self.text())
        self.shot("staff-07-locked")
        # The administrator sees the lock and lifts it; then the account logs in from here.
        self.login("admin")
        self.go("/admin/locks")
        self.wait_text("锁定至")
        self.shot("staff-08-admin-locks")
        self.d.execute_script("window.confirm = function () { return true; };")
        submit(self.d, self.d.find_element(By.XPATH, "//button[contains(., '解除锁定')]"))
        self.wait_text("已解除")
        self.logout()
        self.login("legal")
        self.assertIn("工作台", self.d.title)

    def test_phone_width_login(self):
        self.d.set_window_size(390, 844)
        self.go("/")
        self.assertIn("工作人员登录", self.text())
        self.shot("staff-10-landing-phone")
        self.go("/login")
        self.wait_text("演示环境的账号")
        self.shot("staff-09-login-phone")
