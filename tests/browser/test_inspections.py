"""双随机 journey: a clerk of 市监局 on a laptop creates a task of the year's plan, publishes
its parameters (pools and seed committed by hash), draws, enters a result as the drawn
inspectors and publishes it; a citizen on a phone opens the task on the portal, verifies the
draw in the browser ("一致"), then changes one line of the entity pool and verifies again
("不一致", the pool's hash named)."""

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from browser import BrowserTest, driver, submit


class InspectionJourney(BrowserTest):
    width, height = 1366, 900

    def test_plan_draw_results_publication_and_a_citizen_verifies(self):
        d = self.d
        self.login("sjg_staff")
        self.go("/enforcement/inspections")
        self.wait_text("抽查任务")
        self.shot("insp-index")
        form = d.find_element(By.CSS_SELECTOR, "form[action='/enforcement/inspections/tasks']")
        Select(form.find_element(By.NAME, "item_id")).select_by_index(3)
        form.find_element(By.NAME, "title").send_keys("计量器具使用情况抽查（浏览器）")
        submit(d, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
        self.wait_text("已新建抽查任务")
        task_url = d.current_url
        submit(d, d.find_element(By.CSS_SELECTOR, "form[action$='/commit'] button"))
        self.wait_text("已公布抽取参数")
        self.assertIn("种子承诺值", self.text())
        submit(d, d.find_element(By.CSS_SELECTOR, "form[action$='/draw'] button"))
        self.wait_text("已抽取")
        self.shot("insp-task-drawn")
        det = d.find_element(By.CSS_SELECTOR, "details.inline-form")
        det.find_element(By.TAG_NAME, "summary").click()
        Select(det.find_element(By.NAME, "result")).select_by_value("issues")
        det.find_element(By.NAME, "findings").send_keys("电子秤未按规定检定")
        submit(d, det.find_element(By.CSS_SELECTOR, "button[type=submit]"))
        self.wait_text("应于")
        submit(d, d.find_element(By.CSS_SELECTOR, "form[action$='/publish'] button"))
        self.wait_text("已公示 1 户")
        self.shot("insp-task-published")
        task_id = task_url.rstrip("/").split("/")[-1]

        # A citizen on a phone.
        p = driver(390, 844)
        try:
            p.get(self.d.current_url.split("/enforcement")[0] + f"/portal/enforcement/inspections/{task_id}")
            body = p.find_element(By.TAG_NAME, "body").text
            self.assertIn("电子秤未按规定检定", body)
            self.assertIn("揭示的种子", body)
            p.save_screenshot(f"{self.shots()}/insp-portal-phone.png")
            p.find_element(By.LINK_TEXT, "在本浏览器中验证抽取结果").click()
            WebDriverWait(p, 15).until(lambda p: p.find_element(By.ID, "verify-run").is_enabled())
            p.find_element(By.ID, "verify-run").click()
            WebDriverWait(p, 30).until(lambda p: p.find_element(By.ID, "verify-verdict").text in ("一致", "不一致"))
            self.assertEqual(p.find_element(By.ID, "verify-verdict").text, "一致", p.find_element(By.ID, "verify-checks").text)
            p.save_screenshot(f"{self.shots()}/insp-verify-ok-phone.png")
            # One entity's risk class changed after the commitment.
            area = p.find_element(By.ID, "v-entities")
            text = area.get_attribute("value")
            first = text.split("\n")[0]
            changed = first[:-1] + ("D" if first[-1] != "D" else "A")
            p.execute_script("arguments[0].value = arguments[1];", area, text.replace(first, changed, 1))
            p.find_element(By.ID, "verify-run").click()
            WebDriverWait(p, 30).until(lambda p: p.find_element(By.ID, "verify-verdict").text == "不一致")
            checks = p.find_element(By.ID, "verify-checks").text
            self.assertIn("检查对象名录快照", checks)
            self.assertIn("不一致", checks)
            p.save_screenshot(f"{self.shots()}/insp-verify-bad-phone.png")
        finally:
            p.quit()

    def shots(self):
        import os
        return os.environ.get("SHOTS", "/tmp")
