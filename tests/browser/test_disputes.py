"""行政复议 journey of a clerk of the reconsideration office (laptop, 1366 wide): a letter is
registered (first without a respondent: refused with its article) → 补正 asked and received →
accepted on the 简易 track → a 撤销 decision proposed (first without its legal basis: refused) →
the head approves it → served → a 意见书 to the agency, which reports its correction."""
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from browser import BrowserTest, submit


class ReconsiderationJourney(BrowserTest):
    def fill(self, scope, name, value):
        el = scope.find_element(By.NAME, name)
        el.clear()
        el.send_keys(value)

    def step(self, name, fields=(), selects=()):
        det = self.open_step(name)
        for k, v in fields:
            self.fill(det, k, v)
        for k, v in selects:
            Select(det.find_element(By.NAME, k)).select_by_value(v)
        submit(self.d, det.find_element(By.CSS_SELECTOR, "button[type=submit]"))

    def test_correction_simple_track_revocation_and_opinion(self):
        d = self.d
        self.login("fy_staff")
        self.go("/disputes/reconsideration")
        self.wait_text("行政复议登记簿")
        self.shot("disputes-01-register")
        submit(d, d.find_element(By.LINK_TEXT, "登记申请（信函、当面）"))
        self.wait_text("登记行政复议申请")
        form = d.find_element(By.CSS_SELECTOR, "form.stack")
        self.fill(form, "applicant_name", "张三")
        self.fill(form, "phone", "13900001111")
        self.fill(form, "act_title", "行政处罚决定（占道经营，罚款2000元）")
        d.execute_script("document.getElementById('act_known_on').value = document.getElementById('received_on').value")
        self.fill(form, "request_text", "请求撤销该处罚决定。理由：认定事实不清。")
        submit(d, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
        self.wait_text("未能登记")
        self.assertIn("请写明被申请人", self.text())
        self.assertIn("第三十条第一款第（一）项", self.text())
        self.shot("disputes-02-refused-no-respondent")
        form = d.find_element(By.CSS_SELECTOR, "form.stack")
        Select(form.find_element(By.NAME, "respondent_org_id")).select_by_visible_text("市城市管理局")
        submit(d, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
        self.wait_text("待审查")
        case_url = d.current_url
        self.assertIn("受理审查期限", self.text())

        self.step("补正通知", [("correction_items", "请提交行政处罚决定书复印件")])
        self.wait_text("待补正")
        self.step("收到补正材料", [("correction_text", "已提交处罚决定书复印件")])
        self.wait_text("待审查")
        self.step("受理（简易程序）", [("simple_ground", "涉及款额三千元以下")])
        self.wait_text("审理中")
        self.assertIn("简易程序", self.text())
        self.shot("disputes-03-accepted-simple")

        self.step("提出决定意见", [("decision_text", "被申请人认定事实不清，证据不足")], [("decision_type", "revoke")])
        self.wait_text("第七十五条")
        self.shot("disputes-04-refused-no-basis")
        self.step("提出决定意见", [("decision_basis", "《中华人民共和国行政复议法》第六十四条第一款第（一）项"), ("decision_text", "被申请人认定事实不清，证据不足")], [("decision_type", "revoke")])
        self.wait_text("决定待批")

        self.logout()
        self.login("fy_head")
        d.get(case_url)
        self.step("同意并作出决定")
        self.wait_text("已决定")
        self.logout()

        self.login("fy_staff")
        d.get(case_url)
        self.step("送达决定书", [("service_method", "直接送达")])
        self.wait_text("已送达")
        self.shot("disputes-05-decided-served")
        submit(d, d.find_element(By.LINK_TEXT, "制发意见书或建议书"))
        form = d.find_element(By.CSS_SELECTOR, "form.stack")
        self.fill(form, "body", "你局在作出该处罚决定时认定事实不清，请依法纠正并报送纠正情况。")
        submit(d, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
        self.wait_text("复意〔")
        letter_url = d.current_url
        self.logout()

        self.login("cgj_staff")
        d.get(letter_url)
        self.wait_text("报送纠正")
        self.fill(d, "answer", "已撤销原处罚决定，重新调查取证。")
        submit(d, d.find_element(By.CSS_SELECTOR, "form.stack button[type=submit]"))
        self.wait_text("按期")
        self.shot("disputes-06-opinion-answered")
