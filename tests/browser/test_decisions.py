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
