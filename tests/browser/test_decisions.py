"""规范性文件 journey of a clerk of 住建局 on a laptop: the register → a new item of the year's
plan with its first draft as clauses → 评估论证 → a comment window too short for a
market-related document is refused with its article → a 30-day window on the first draft → a
comment registered on 第二条 shows beside that clause."""
from selenium.webdriver.common.by import By

from browser import BrowserTest, submit

TEXT = ("第一条 为了规范本市住宅物业服务收费行为，根据有关法律法规，制定本办法。\n"
        "第二条 物业服务收费实行政府指导价和市场调节价。\n"
        "第三条 本办法自公布之日起施行。")


class NormdocJourney(BrowserTest):
    width, height = 1366, 900

    def step_form(self, name):
        det = self.open_step(name)
        return det

    def test_clerk_drafts_and_opens_a_comment_window(self):
        d = self.d
        self.login("zjj_staff")
        self.go("/decisions/normdocs")
        self.wait_text("列入制定计划")
        self.shot("normdoc-register")
        submit(d, d.find_element(By.LINK_TEXT, "列入制定计划"))
        d.find_element(By.NAME, "title").send_keys("示范市住宅物业服务收费管理办法")
        d.find_element(By.NAME, "market_related").click()
        d.find_element(By.NAME, "text").send_keys(TEXT)
        submit(d, d.find_element(By.CSS_SELECTOR, "form.card button[type=submit]"))
        self.wait_text("已列入制定计划")
        self.assertIn("第二条", self.text())
        self.assertIn("起草中", self.text())

        det = self.step_form("评估论证")
        det.find_element(By.NAME, "assessment").send_keys("经调研论证，确有必要，措施可行")
        submit(d, det.find_element(By.CSS_SELECTOR, "button[type=submit]"))
        self.wait_text("已评估论证")

        # Ten days for a document closely related to market actors, without a reason: refused.
        det = self.step_form("公开征求意见")
        days = det.find_element(By.NAME, "days")
        days.clear()
        days.send_keys("10")
        submit(d, det.find_element(By.CSS_SELECTOR, "button[type=submit]"))
        self.wait_text("须说明缩短的理由")
        self.assertIn("第六十二条", self.text())
        self.shot("normdoc-window-refused")

        det = self.step_form("公开征求意见")
        days = det.find_element(By.NAME, "days")
        days.clear()
        days.send_keys("30")
        submit(d, det.find_element(By.CSS_SELECTOR, "button[type=submit]"))
        self.wait_text("征求意见中")

        det = self.step_form("登记征求意见期间收到的意见")
        clause = det.find_element(By.NAME, "clause_no")
        clause.clear()
        clause.send_keys("2")
        det.find_element(By.NAME, "author").send_keys("某物业服务企业")
        det.find_element(By.NAME, "body").send_keys("建议明确市场调节价的适用范围")
        submit(d, det.find_element(By.CSS_SELECTOR, "button[type=submit]"))
        self.wait_text("已登记意见")
        item = d.find_element(By.ID, "clause-2")
        self.assertIn("建议明确市场调节价的适用范围", item.text)
        self.assertIn("第1稿", self.text())
        self.shot("normdoc-commenting")


class NormdocLibraryOnPhone(BrowserTest):
    """A citizen on a phone finds a document in force in the portal's library and reads its
    text as it stood on a day before it took effect (not in force then)."""
    width, height = 390, 844

    def test_citizen_reads_the_library(self):
        d = self.d
        self.go("/portal/normdocs")
        self.wait_text("行政规范性文件库")
        links = d.find_elements(By.CSS_SELECTOR, "ul.list a[href^='/portal/normdocs/']")
        self.assertTrue(links, self.text())
        self.shot("normdoc-library-phone")
        submit(d, links[0])
        self.wait_text("施行的文本")
        self.assertIn("第一条", self.text())
        self.assertIn("现行有效", self.text())
        self.shot("normdoc-document-phone")
        day = d.find_element(By.NAME, "on")
        d.execute_script("arguments[0].value = '2000-01-01'", day)
        submit(d, d.find_element(By.CSS_SELECTOR, "form.filters button[type=submit]"))
        self.wait_text("不在有效期内")


class MajorDecisionJourney(BrowserTest):
    """重大行政决策 on a laptop: the government office tries to put a decision whose procedures
    are done to the executive meeting — refused, the legality opinion is missing (Art. 25) — the
    lead unit sends it for legality review, the justice bureau gives its opinion, then the meeting
    decides, the Party committee is reported to and the decision is published."""
    width, height = 1366, 900
    TITLE = "老旧小区改造三年行动计划"

    def open_decision(self):
        self.go("/decisions/major")
        self.wait_text("重大行政决策")
        submit(self.d, self.d.find_element(By.LINK_TEXT, self.TITLE))
        self.wait_text("提交集体讨论的材料")

    def choose(self, det, name, value):
        from selenium.webdriver.support.ui import Select
        Select(det.find_element(By.NAME, name)).select_by_value(value)

    def deliberate(self):
        det = self.open_step("集体讨论决定")
        det.find_element(By.NAME, "meeting").send_keys("市政府第15次常务会议")
        self.choose(det, "majority", "agree")
        self.choose(det, "head_last", "yes")
        self.choose(det, "result", "adopted")
        submit(self.d, det.find_element(By.CSS_SELECTOR, "button[type=submit]"))

    def test_refused_without_legality_opinion_then_decided_and_published(self):
        d = self.d
        self.login("zfb")
        self.go("/decisions/major/catalogues")
        self.wait_text("经同级党委同意")
        self.shot("major-01-catalogues")
        self.open_decision()
        self.assertIn("法定程序履行中", self.text())
        self.deliberate()
        self.wait_text("没有合法性审查意见")
        self.assertIn("第二十五条", self.text())
        self.shot("major-02-deliberation-refused")
        self.logout()

        self.login("zjj_staff")
        self.open_decision()
        det = self.open_step("送请合法性审查")
        det.find_element(By.NAME, "materials").send_keys("决策草案及起草说明、法律依据、程序履行情况")
        submit(d, det.find_element(By.CSS_SELECTOR, "button[type=submit]"))
        self.wait_text("合法性审查中")
        self.logout()

        self.login("legal")
        self.open_decision()
        det = self.open_step("出具合法性审查意见")
        for name in ["authority", "procedure", "content"]:
            self.choose(det, name, "ok")
        det.find_element(By.NAME, "adviser_opinion").send_keys("法律顾问：属于市政府职权，程序完备")
        self.choose(det, "result", "pass")
        det.find_element(By.NAME, "opinion").send_keys("符合法定权限，已履行法定程序，内容合法")
        self.shot("major-03-legality-form")
        submit(d, det.find_element(By.CSS_SELECTOR, "button[type=submit]"))
        self.wait_text("合法性审查通过")
        self.logout()

        self.login("zfb")
        self.open_decision()
        self.deliberate()
        self.wait_text("已作出决定")
        det = self.open_step("向同级党委请示报告")
        det.find_element(By.NAME, "report").send_keys("已向市委请示报告，市委同意")
        submit(d, det.find_element(By.CSS_SELECTOR, "button[type=submit]"))
        self.wait_text("向党委请示报告")
        det = self.open_step("公布决策")
        det.find_element(By.NAME, "publication").send_keys("市政府门户网站、政府公报")
        submit(d, det.find_element(By.CSS_SELECTOR, "button[type=submit]"))
        self.wait_text("已公布执行")
        self.shot("major-04-published")


class MajorDecisionCommentOnPhone(BrowserTest):
    """A citizen on a phone opens the catalogue on the portal, reads the draft out for comment,
    verifies the phone and comments on a clause."""
    width, height = 390, 844

    def test_citizen_comments_on_a_draft(self):
        import re
        d = self.d
        self.go("/portal/decisions")
        self.wait_text("重大行政决策事项目录")
        self.shot("major-05-portal-catalogue-phone")
        submit(d, d.find_element(By.LINK_TEXT, "城区停车设施建设与收费管理办法"))
        self.wait_text("征求意见稿")
        submit(d, d.find_element(By.LINK_TEXT, "验证手机号"))
        d.find_element(By.NAME, "phone").send_keys("13955550777")
        d.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
        self.wait_text("验证码已发送")
        code = re.search(r"本次验证码是 (\d{6})", self.text()).group(1)
        d.find_element(By.NAME, "code").send_keys(code)
        submit(d, d.find_element(By.CSS_SELECTOR, "form button[type=submit]"))
        self.wait_text("提出意见")
        from selenium.webdriver.support.ui import Select
        Select(d.find_element(By.NAME, "clause_no")).select_by_value("2")
        d.find_element(By.NAME, "body").send_keys("建议在学校周边设置临时停车位，方便接送学生。")
        self.shot("major-06-comment-phone")
        submit(d, d.find_element(By.CSS_SELECTOR, "#comment button[type=submit]"))
        self.wait_text("您的意见已提交")
        self.shot("major-07-comment-done-phone")


class FairCompetitionJourney(BrowserTest):
    """公平竞争审查 on a laptop: a clerk of 住建局 registers a measure, the self-review finds one
    standard breached (第九条第三项) — "may be issued" is refused — and the measure is amended."""
    width, height = 1366, 900
    CODES = ["a8_1", "a8_2", "a8_3", "a8_4", "a8_5", "a9_1", "a9_2", "a9_3", "a9_4", "a9_5", "a9_6",
             "a10_1", "a10_2", "a10_3", "a10_4", "a11_1", "a11_2", "a11_3", "a11_4"]

    def fill_review(self, conclusion, amendment=None):
        from selenium.webdriver.support.ui import Select
        det = self.open_step("审查并作出结论")
        for code in self.CODES:
            Select(det.find_element(By.NAME, code)).select_by_value("yes" if code == "a9_3" else "no")
        ops = det.find_element(By.NAME, "operators_views")
        ops.clear()
        ops.send_keys("召开建筑企业座谈会，听取行业协会意见")
        Select(det.find_element(By.NAME, "conclusion")).select_by_value(conclusion)
        if amendment:
            det.find_element(By.NAME, "amendment").send_keys(amendment)
        op = det.find_element(By.NAME, "opinion")
        op.clear()
        op.send_keys("对照审查标准逐项审查")
        submit(self.d, det.find_element(By.CSS_SELECTOR, "button[type=submit]"))

    def test_one_item_found_and_the_measure_amended(self):
        d = self.d
        self.login("zjj_staff")
        self.go("/decisions/fcr")
        self.wait_text("公平竞争审查")
        self.shot("fcr-01-register")
        submit(d, d.find_element(By.LINK_TEXT, "登记政策措施"))
        d.find_element(By.NAME, "title").send_keys("关于支持本地建筑企业做大做强的若干措施")
        d.find_element(By.NAME, "summary").send_keys("政府投资项目招标时优先选择本地建筑企业。")
        submit(d, d.find_element(By.CSS_SELECTOR, "form.card button[type=submit]"))
        self.wait_text("起草单位审查中")
        self.fill_review("compliant")
        self.wait_text("第九条第三项")
        self.assertIn("不能作出", self.text())
        self.shot("fcr-02-refused")
        self.fill_review("amended", "删去“优先选择本地建筑企业”")
        self.wait_text("可以出台")
        self.assertIn("修改情况", self.text())
        self.shot("fcr-03-amended")
