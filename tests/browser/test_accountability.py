"""督察整改 journey on a laptop: the inspector of 依法治市办 records a finding against 住建局 and
hands it over; the clerk of 住建局 reports the rectification with its evidence and cannot verify
it; the inspector verifies and closes it, then the 回头看 reopens it with a reason and a new
period, and the register shows it among the tasks sent back."""
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from browser import BrowserTest, submit


class RectificationJourney(BrowserTest):
    width, height = 1366, 900

    def step(self, name, fields=None, reason=None):
        det = self.open_step(name)
        for k, v in (fields or {}).items():
            det.find_element(By.NAME, k).send_keys(v)
        if reason is not None:
            det.find_element(By.NAME, "reason").send_keys(reason)
        submit(self.d, det.find_element(By.CSS_SELECTOR, "button[type=submit]"))

    def test_finding_rectified_verified_and_reopened(self):
        d = self.d
        self.login("ducha")
        self.go("/accountability/rectifications")
        self.wait_text("督察问题整改台账")
        self.shot("rectification-register")
        submit(d, d.find_element(By.LINK_TEXT, "登记督察问题"))
        d.find_element(By.NAME, "inspection").send_keys("年度法治政府建设督察")
        Select(d.find_element(By.NAME, "org_id")).select_by_visible_text("市住房和城乡建设局")
        d.find_element(By.NAME, "finding").send_keys("浏览器测试：执法公示信息未按时更新")
        submit(d, d.find_element(By.CSS_SELECTOR, "form.card button[type=submit]"))
        self.wait_text("已登记督察问题")
        url = d.current_url
        self.step("交办整改")
        self.wait_text("整改中")
        self.shot("rectification-assigned")
        self.logout()

        self.login("zjj_staff")
        d.get(url)
        self.wait_text("浏览器测试：执法公示信息未按时更新")
        self.step("报告整改情况", {"measures": "已更新公示信息并建立每周核对机制", "evidence": "整改报告；公示平台截图"})
        self.wait_text("待核验")
        self.assertNotIn("核验通过", [b.text for b in d.find_elements(By.CSS_SELECTOR, "button[type=submit]")])
        self.logout()

        self.login("ducha")
        d.get(url)
        self.wait_text("待核验")
        self.step("核验通过", {"opinion": "经现场核查，整改到位"})
        self.wait_text("已整改销号")
        # The 回头看 without a reason is refused, with one it reopens.
        self.step("回头看重新打开")
        self.wait_text("理由")
        self.step("回头看重新打开", reason="回头看发现问题反弹")
        self.wait_text("重新整改1次")
        self.shot("rectification-reopened")
        self.go("/accountability/rectifications?status=reopened")
        self.wait_text("浏览器测试：执法公示信息未按时更新")
