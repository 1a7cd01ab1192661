"""政务服务 journey: a firm, on a laptop, finds an item under 告知承诺 by its life event on the
portal, reads its guide, proves its phone, applies online with the item's own form and a material
uploaded, signs the commitment and gets its licence at once; it rates the service. The approval
bureau's window then finds the post-verification task in its register. Screenshots at laptop
(1366x768) and phone (390x844) widths."""
import os
import random
import re
import tempfile

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from browser import BASE, SHOTS, BrowserTest, driver, submit


class ServicesJourney(BrowserTest):
    width, height = 1366, 768

    def find_commitment_item(self):
        """The first item of the 开办企业 life event, handled by the approval bureau, whose guide
        says 实行告知承诺."""
        self.go("/portal/services?event=business")
        self.wait_text("找到")
        links = [a.get_attribute("href") for a in self.d.find_elements(By.CSS_SELECTOR, "a[href*='/portal/services/items/']")]
        self.assertTrue(links, "the life event lists items")
        for href in links:
            self.d.get(href)
            if "实行告知承诺" in self.text() and "在线申请" in self.text() and "市行政审批局" in self.text():
                return href
        self.fail("no 告知承诺 item under 开办企业")

    def test_a_firm_applies_under_commitment_and_the_verification_task_appears(self):
        phone = "139" + "".join(random.choice("0123456789") for _ in range(8))
        self.go("/portal/services")
        self.wait_text("按办事场景")
        self.shot("services-01-portal-laptop")
        guide = self.find_commitment_item()
        self.assertIn("申请材料", self.text())
        self.assertIn("工作日", self.text())
        self.shot("services-02-guide-laptop")

        submit(self.d, self.d.find_element(By.LINK_TEXT, "在线申请"))
        self.wait_text("验证手机号")
        self.d.find_element(By.NAME, "phone").send_keys(phone)
        submit(self.d, self.d.find_element(By.CSS_SELECTOR, "form button[type=submit]"))
        self.wait_text("验证码已发送")
        code = re.search(r"本次验证码是 (\d{6})", self.text()).group(1)
        self.d.find_element(By.NAME, "code").send_keys(code)
        submit(self.d, self.d.find_element(By.CSS_SELECTOR, "form button[type=submit]"))
        self.wait_text("告知承诺书")
        self.assertIn(phone[:3] + "****" + phone[-4:], self.text(), "the verified phone, masked")

        # Bad input first: nothing filled in, every problem named.
        submit(self.d, self.d.find_element(By.CSS_SELECTOR, "form button.primary[type=submit]"))
        self.wait_text("未能提交")
        for m in ["请填写申请人", "请填写统一社会信用代码", "请上传申请材料", "签署告知承诺书"]:
            self.assertIn(m, self.text())
        self.shot("services-03-apply-errors-laptop")

        self.d.find_element(By.NAME, "applicant").send_keys("示范市味道餐饮管理有限公司")
        self.d.find_element(By.NAME, "f_credit_code").send_keys("91321084MA1TEST01X")
        self.d.find_element(By.NAME, "f_legal_rep").send_keys("周明")
        f = tempfile.NamedTemporaryFile(suffix=".pdf", delete=False)
        f.write(b"%PDF-1.4\n% business licence\n%%EOF\n")
        f.close()
        self.d.find_element(By.NAME, "files").send_keys(f.name)
        self.d.find_element(By.NAME, "commitment_signed").click()
        self.shot("services-04-apply-form-laptop")
        submit(self.d, self.d.find_element(By.CSS_SELECTOR, "form button.primary[type=submit]"))
        self.wait_text("当场准予许可")
        os.unlink(f.name)
        self.assertFalse(self.d.find_elements(By.CSS_SELECTOR, ".errors"))
        case_no = self.d.find_element(By.CSS_SELECTOR, ".ticket-no").text.strip()
        self.assertRegex(case_no, r"许申〔\d{4}〕\d+号$")
        self.assertIn("准予许可", self.text())
        self.assertIn("核查", self.text())
        app_url = self.d.current_url
        self.shot("services-05-result-laptop")

        # 好差评: a bad rating without a reason is refused; a good one is taken once.
        Select(self.d.find_element(By.NAME, "score")).select_by_visible_text("不满意")
        submit(self.d, self.d.find_element(By.CSS_SELECTOR, "form button.primary[type=submit]"))
        self.wait_text("不满意的原因")
        Select(self.d.find_element(By.NAME, "score")).select_by_visible_text("非常满意")
        submit(self.d, self.d.find_element(By.CSS_SELECTOR, "form button.primary[type=submit]"))
        self.wait_text("感谢您的评价")
        self.assertIn("非常满意", self.text())

        # The same pages on a phone.
        cookies = self.d.get_cookies()
        phone_d = driver(390, 844)
        try:
            phone_d.get(BASE + "/portal/services")
            for c in cookies:
                phone_d.add_cookie({k: c[k] for k in ("name", "value", "path") if k in c})
            for url, name in [(BASE + "/portal/services", "services-06-portal-phone"), (guide, "services-07-guide-phone"), (app_url, "services-08-result-phone")]:
                phone_d.get(url)
                phone_d.save_screenshot(os.path.join(SHOTS, f"{name}.png"))
                over = phone_d.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
                self.assertLessEqual(over, 0, f"{name}: no sideways scrolling on a phone")
        finally:
            phone_d.quit()

        # The approval bureau's window: the post-verification task is in its register.
        self.d.delete_all_cookies()
        self.login("spj_window")
        self.go("/services/applications?state=verifying")
        self.wait_text(case_no)
        self.shot("services-09-verification-task-laptop")
        submit(self.d, self.d.find_element(By.LINK_TEXT, case_no))
        self.wait_text("承诺核查中")
        self.assertIn("核查承诺", self.text())
        self.shot("services-10-case-laptop")

        # The catalogue (with its import form and the declared-vs-actual column) and 好差评.
        self.go("/services/items")
        self.wait_text("导入事项清单")
        self.assertIn("近一年办件", self.text())
        self.shot("services-11-catalogue-laptop")
        self.go("/services/ratings")
        self.wait_text("回访整改")
        self.assertIn(case_no, self.text(), "the firm's rating is listed for its unit")
        self.shot("services-12-ratings-laptop")
