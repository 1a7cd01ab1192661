"""Hotline journey: a citizen reports on the portal (phone first) → the dispatcher routes it →
the department replies → the citizen reads the reply and rates it → the KPI page counts it."""
import re
import time
from datetime import datetime, timedelta, timezone

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from browser import BASE, BrowserTest, driver, submit


def kpi_satisfied(d):
    """The 满意率 figure in the KPI summary: (numerator, denominator)."""
    for stat in d.find_elements(By.CSS_SELECTOR, "a.stat"):
        if "满意率" in stat.text:
            m = re.search(r"(\d+) / (\d+)", stat.text)
            return (int(m.group(1)), int(m.group(2))) if m else (0, 0)
    return (0, 0)


class HotlineJourney(BrowserTest):
    width, height = 390, 844  # the citizen is on a phone

    def staff(self, username):
        d = driver(1366, 900)
        d.get(BASE + "/login")
        d.find_element(By.NAME, "username").send_keys(username)
        d.find_element(By.NAME, "password").send_keys("demo-2026-fazhi")
        submit(d, d.find_element(By.CSS_SELECTOR, "form.login button[type=submit]"))
        return d

    def step(self, d, name, fill=None):
        for det in d.find_elements(By.CSS_SELECTOR, "details.step"):
            s = det.find_element(By.TAG_NAME, "summary")
            if s.text.split("\n")[0].strip() == name:
                if det.get_attribute("open") is None:
                    s.click()
                if fill:
                    fill(det)
                submit(d, det.find_element(By.CSS_SELECTOR, "button[type=submit]"))
                return
        self.fail(f"no step {name}")

    def test_portal_to_kpi(self):
        # The KPI figure before.
        disp = self.staff("dispatcher")
        # The server's day is China's (UTC+8), whatever this machine's time zone.
        today = datetime.now(timezone(timedelta(hours=8))).strftime("%Y-%m-%d")
        disp.get(f"{BASE}/hotline/kpi?from={today}&to={today}")
        before = kpi_satisfied(disp)

        # 1. The citizen verifies the phone and reports, on a phone-sized screen.
        self.go("/portal")
        self.shot("hotline-01-portal-home")
        self.go("/portal/report")
        self.d.find_element(By.NAME, "phone").send_keys("13955550001")
        self.d.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
        self.wait_text("验证码已发送")
        code = re.search(r"本次验证码是 (\d{6})", self.text()).group(1)
        self.d.find_element(By.NAME, "code").send_keys(code)
        self.d.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
        self.wait_text("诉求")
        self.choose("category_id", "物业管理")
        self.choose("town_id", "东湖镇")
        self.d.find_element(By.NAME, "address").send_keys("幸福路88号3单元")
        self.d.find_element(By.NAME, "description").send_keys("小区门口的路灯坏了一个月，物业一直不修，晚上很黑。")
        self.shot("hotline-02-report-form")
        self.d.find_element(By.CSS_SELECTOR, "form button.primary[type=submit]").click()
        self.wait_text("工单编号")
        no = self.d.find_element(By.CSS_SELECTOR, ".ticket-no").text.strip()
        self.assertRegex(no, r"^\d{11}$")
        self.shot("hotline-03-done")

        # 2. The dispatcher accepts and dispatches on the suggestion.
        disp.get(f"{BASE}/hotline/tickets?status=open&q={no}")
        disp.find_element(By.LINK_TEXT, no).click()
        time.sleep(0.3)
        self.step(disp, "受理")
        self.assertIn("分派建议", disp.find_element(By.TAG_NAME, "body").text)
        self.step(disp, "派单")
        self.assertIn("待签收", disp.find_element(By.TAG_NAME, "body").text)
        ticket_url = disp.current_url

        # The citizen sees who handles it and by when, and the address as written.
        self.go(f"/portal/track/{no}")
        self.wait_text("承诺办结")
        body = self.text()
        self.assertIn("市住房和城乡建设局", body)
        self.assertIn("幸福路88号3单元", body)
        self.shot("hotline-04a-dispatched")
        what = self.d.find_element(By.XPATH, "//h2[normalize-space(text())='您反映的内容']")
        self.d.execute_script("arguments[0].scrollIntoView()", what)
        self.shot("hotline-04b-own-address")

        # 3. 住建局 signs and replies.
        unit = self.staff("zjj_staff")
        unit.get(ticket_url)
        self.step(unit, "签收")
        self.step(unit, "答复", lambda det: det.find_element(By.NAME, "reply").send_keys("已督促物业更换灯具，路灯已恢复照明。"))
        self.assertIn("待审核", unit.find_element(By.TAG_NAME, "body").text)
        unit.quit()

        # 4. The centre reviews it: it goes to the citizen for evaluation.
        disp.get(ticket_url)
        self.step(disp, "审核通过")
        self.assertIn("待回访", disp.find_element(By.TAG_NAME, "body").text)

        # 5. The citizen reads the reply and rates it.
        self.go(f"/portal/track/{no}")
        self.wait_text("已督促物业更换灯具")
        self.shot("hotline-04-progress")
        labels = self.d.find_elements(By.CSS_SELECTOR, ".rating label")
        next(l for l in labels if l.text.strip() == "满意").click()
        self.d.find_element(By.NAME, "comment").send_keys("修得很快，谢谢")
        self.d.find_element(By.CSS_SELECTOR, "form button.primary[type=submit]").click()
        self.wait_text("已办结")
        # The rating and the comment come back on the page.
        self.wait_text("您的评价")
        self.assertIn("修得很快，谢谢", self.text())
        self.shot("hotline-05-rated")
        self.d.execute_script("document.getElementById('rated').scrollIntoView()")
        self.shot("hotline-05b-rating-shown")

        # 6. The KPI page counts it.
        disp.get(f"{BASE}/hotline/kpi?from={today}&to={today}")
        after = kpi_satisfied(disp)
        self.assertEqual(after[0], before[0] + 1, f"满意 +1: {before} → {after}")
        self.assertEqual(after[1], before[1] + 1, f"参评 +1: {before} → {after}")
        disp.save_screenshot(f"{self.shot_dir()}/hotline-06-kpi.png")
        disp.quit()

    def choose(self, name, text):
        sel = Select(self.d.find_element(By.NAME, name))
        for o in sel.options:
            if o.text.strip().startswith(text):
                sel.select_by_value(o.get_attribute("value"))
                return
        self.fail(f"no option {text} in {name}: {[o.text for o in sel.options]}")

    def shot_dir(self):
        import os
        return os.environ.get("SHOTS", "/tmp")
