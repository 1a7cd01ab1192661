"""行政复议 journey of a clerk of the reconsideration office (laptop, 1366 wide): a letter is
registered (first without a respondent: refused with its article) → 补正 asked and received →
accepted on the 简易 track → a 撤销 decision proposed (first without its legal basis: refused) →
the head approves it → served → a 意见书 to the agency, which reports its correction."""
import os
import re

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from browser import BASE, SHOTS, BrowserTest, driver, submit


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


class LegalAidJourney(BrowserTest):
    """法律援助: a migrant worker applies on a phone (no means test, Art. 42) → the centre's clerk
    grants aid and assigns the lawyer on a laptop (a conflicted lawyer first: refused, named) →
    the lawyer closes with a standard code and the wages recovered → the worker rates it."""
    width, height = 390, 844  # the citizen is on a phone

    def staff(self, username):
        d = driver(1366, 900)
        d.get(BASE + "/login")
        d.find_element(By.NAME, "username").send_keys(username)
        d.find_element(By.NAME, "password").send_keys("demo-2026-fazhi")
        submit(d, d.find_element(By.CSS_SELECTOR, "form.login button[type=submit]"))
        return d

    def step(self, d, name, fields=(), selects=()):
        for det in d.find_elements(By.CSS_SELECTOR, "details.step"):
            s = det.find_element(By.TAG_NAME, "summary")
            if s.text.split("\n")[0].strip() == name:
                if det.get_attribute("open") is None:
                    s.click()
                for k, v in fields:
                    el = det.find_element(By.NAME, k)
                    el.clear()
                    el.send_keys(v)
                for k, v in selects:
                    Select(det.find_element(By.NAME, k)).select_by_value(v)
                submit(d, det.find_element(By.CSS_SELECTOR, "button[type=submit]"))
                return
        self.fail(f"no step {name}")

    def test_migrant_worker_applies_on_a_phone_and_the_lawyer_closes(self):
        d = self.d
        self.go("/portal/legal-aid")
        d.find_element(By.NAME, "phone").send_keys("13955550077")
        d.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
        self.wait_text("验证码已发送")
        code = re.search(r"本次验证码是 (\d{6})", self.text()).group(1)
        d.find_element(By.NAME, "code").send_keys(code)
        d.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
        self.wait_text("申请法律援助")
        self.shot("legal-aid-01-phone-form")
        d.find_element(By.NAME, "applicant_name").send_keys("王建国")
        d.find_element(By.NAME, "migrant_worker").click()
        Select(d.find_element(By.NAME, "category")).select_by_value("family")
        Select(d.find_element(By.NAME, "exempt_ground")).select_by_value("migrant_worker")
        d.find_element(By.NAME, "summary").send_keys("在示范市某工地做木工三个月，老板拖欠工资 26000 元不给。")
        submit(d, d.find_element(By.CSS_SELECTOR, "form button.primary[type=submit]"))
        self.wait_text("还没有提交")
        self.assertIn("第四十二条第三项", self.text())
        self.shot("legal-aid-02-phone-refused")
        Select(d.find_element(By.NAME, "category")).select_by_value("wages")
        d.find_element(By.NAME, "opponent").send_keys("示范市某建筑劳务公司")
        submit(d, d.find_element(By.CSS_SELECTOR, "form button.primary[type=submit]"))
        self.wait_text("我的法律援助申请")
        self.assertIn("待审查", self.text())
        case_no = re.search(r"(\S+援〔\d{4}〕\d+号)", self.text()).group(1)
        self.shot("legal-aid-03-phone-mine")

        staff = self.staff("aid_staff")
        staff.get(BASE + "/disputes/legal-aid?channel=portal")
        staff.find_element(By.LINK_TEXT, case_no).click()
        self.assertIn("免予经济困难审查", staff.find_element(By.TAG_NAME, "body").text)
        staff.save_screenshot(shot_path("legal-aid-04-clerk-case"))
        self.step(staff, "决定给予法律援助")
        wait_body(staff, "待指派")
        case_url = staff.current_url
        # A lawyer who declared the opponent as a client: refused, with the conflict named.
        staff.get(BASE + "/disputes/legal-aid/providers")
        form = staff.find_element(By.CSS_SELECTOR, "form.stack")
        form.find_element(By.NAME, "name").send_keys("赵律师")
        form.find_element(By.NAME, "firm").send_keys("江苏某律师事务所")
        form.find_element(By.NAME, "relations").send_keys("示范市某建筑劳务公司（常年法律顾问）")
        submit(staff, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
        wait_body(staff, "赵律师")
        rows = staff.find_elements(By.CSS_SELECTOR, "table tbody tr")
        zhao = next(r for r in rows if "赵律师" in r.text).find_element(By.CSS_SELECTOR, "td").text
        sun = next(r for r in rows if "孙明律" in r.text).find_element(By.CSS_SELECTOR, "td").text
        staff.get(case_url)
        self.step(staff, "指派法律援助人员", [("provider_id", zhao)])
        wait_body(staff, "存在利害关系")
        staff.save_screenshot(shot_path("legal-aid-05-conflict-refused"))
        self.step(staff, "指派法律援助人员", [("provider_id", sun)])
        wait_body(staff, "承办中")
        staff.quit()

        lawyer = self.staff("aid_lawyer")
        lawyer.get(BASE + "/disputes/legal-aid")
        lawyer.find_element(By.LINK_TEXT, case_no).click()
        self.step(lawyer, "提交结案报告", [("amount_recovered", "26000"), ("wages_recovered", "26000"), ("report", "经劳动仲裁委调解，用人单位支付全部欠薪")], [("closing_code", "mediation")])
        wait_body(lawyer, "已结案")
        self.assertIn("其中农民工工资 26000 元", lawyer.find_element(By.TAG_NAME, "body").text)
        lawyer.save_screenshot(shot_path("legal-aid-06-lawyer-closed"))
        lawyer.quit()

        self.go("/portal/legal-aid/mine")
        self.wait_text("调解结案")
        Select(d.find_element(By.NAME, "satisfaction")).select_by_value("5")
        submit(d, d.find_element(By.CSS_SELECTOR, "form.row button[type=submit]"))
        self.wait_text("感谢您的评价")
        self.shot("legal-aid-07-phone-rated")


def shot_path(name):
    return os.path.join(SHOTS, f"{name}.png")


def wait_body(d, needle, timeout=10):
    WebDriverWait(d, timeout).until(lambda x: needle in x.find_element(By.TAG_NAME, "body").text)
