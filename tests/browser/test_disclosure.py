"""依申请公开 journey: a citizen (phone first) applies for government information on the portal →
住建局 asks for a 补正 → the citizen completes it → the unit asks for an extension and its head
approves it → the unit replies 部分公开 → the citizen reads the reply and downloads the 答复书
(DOCX) and the information the reply gives (a file the unit uploaded), which nobody else can
download → the annual report counts the case in the 部分公开 row."""
import io
import os
import tempfile
import random
import re
import urllib.parse
import urllib.request
import zipfile
from datetime import datetime, timedelta, timezone

from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from browser import BASE, PASSWORD, SHOTS, BrowserTest, driver, option_text, pick_org, submit

UNIT = "市住房和城乡建设局"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def body(d):
    return d.find_element(By.TAG_NAME, "body").text


def wait_in(d, needle, timeout=10):
    """Wait until `needle` is in the page text of driver `d`."""
    try:
        WebDriverWait(d, timeout, ignored_exceptions=(StaleElementReferenceException, NoSuchElementException)).until(
            lambda d: needle in d.find_element(By.TAG_NAME, "body").text)
    except Exception:
        raise AssertionError(f"{needle!r} not on {d.current_url}:\n{body(d)[:1500]}")


def shanghai_year():
    return datetime.now(timezone(timedelta(hours=8))).year


def report_figures(d):
    """Table 三 of the annual report: the computed figures by (row, outcome, applicant type),
    read from the links each figure carries to its records (applicant type None: 总计)."""
    figs = {}
    for a in d.find_elements(By.CSS_SELECTOR, ".report a[href*='/disclosure/requests?']"):
        qs = urllib.parse.parse_qs(urllib.parse.urlparse(a.get_attribute("href")).query)
        key = (qs["row"][0], qs.get("outcome", [None])[0], qs.get("applicant_type", [None])[0])
        figs[key] = (int(a.text.strip()), a.get_attribute("href"))
    return figs


class DisclosureJourney(BrowserTest):
    width, height = 390, 844  # the citizen is on a phone

    # ------------------------------------------------------------------ staff side

    def staff_as(self, username):
        """The staff browser (desktop-sized), logged in afresh as `username`."""
        d = self.staff
        d.get(BASE + "/login")
        d.delete_all_cookies()
        d.get(BASE + "/login")
        d.find_element(By.NAME, "username").send_keys(username)
        d.find_element(By.NAME, "password").send_keys(PASSWORD)
        submit(d, d.find_element(By.CSS_SELECTOR, "form.login button[type=submit]"))
        WebDriverWait(d, 10).until(EC.presence_of_element_located((By.CSS_SELECTOR, "header.topbar")))
        return d

    def staff_shot(self, name):
        self.staff.save_screenshot(f"{SHOTS}/{name}.png")

    def step(self, d, name, fill=None, expect=None):
        """Open the step `name` on a request page, fill it, submit it; the page must come back
        with a success flash (containing `expect` if given), not with an error."""
        for det in d.find_elements(By.CSS_SELECTOR, "details.step"):
            s = det.find_element(By.TAG_NAME, "summary")
            if s.text.split("\n")[0].strip() == name:
                if det.get_attribute("open") is None:
                    s.click()
                    WebDriverWait(d, 5).until(lambda _: det.get_attribute("open") is not None)
                self.assertNotIn("off", det.get_attribute("class").split(), f"step {name} is not available: {det.text}")
                if fill:
                    fill(det)
                submit(d, det.find_element(By.CSS_SELECTOR, "button[type=submit]"))
                errors = d.find_elements(By.CSS_SELECTOR, ".errors")
                self.assertFalse(errors, f"step {name} refused: {errors[0].text if errors else ''}")
                flash = d.find_element(By.CSS_SELECTOR, ".flash.ok").text
                if expect:
                    self.assertIn(expect, flash)
                return
        self.fail(f"no step {name!r}; steps: {[x.text.split(chr(10))[0] for x in d.find_elements(By.CSS_SELECTOR, 'details.step')]}")

    def due_on(self, d):
        m = re.search(r"答复期限 (\d{4}-\d{2}-\d{2})", d.find_element(By.CSS_SELECTOR, ".record-head").text)
        self.assertIsNotNone(m, "the request page shows the reply deadline")
        return m.group(1)

    def open_report(self, d, org_id, year):
        d.get(f"{BASE}/disclosure/report?org={org_id}&year={year}")
        wait_in(d, "三、收到和处理政府信息公开申请情况")
        # The organ in full, then the year and the report's name.
        self.assertIn(f"示范市住房和城乡建设局\n{year}年政府信息公开工作年度报告", d.find_element(By.CSS_SELECTOR, "h1.report-title").text.replace(" ", "\n"))
        return report_figures(d)

    # ------------------------------------------------------------------ citizen side

    def choose(self, name, text):
        element = self.d.find_element(By.NAME, name)
        if element.get_attribute("data-org-picker") is not None:
            return pick_org(self.d, element, text)
        sel = Select(element)
        for o in sel.options:
            if o.text.strip() == text:
                sel.select_by_value(o.get_attribute("value"))
                return o.get_attribute("value")
        self.fail(f"no option {text} in {name}: {[o.text for o in sel.options]}")

    def fetch(self, path):
        """GET `path` with the citizen browser's cookies: (status, content type, bytes)."""
        cookies = "; ".join(f"{c['name']}={c['value']}" for c in self.d.get_cookies())
        req = urllib.request.Request(BASE + path, headers={"Cookie": cookies})
        with urllib.request.urlopen(req, timeout=20) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read()

    def docx_text(self, path):
        status, ctype, data = self.fetch(path)
        self.assertEqual(status, 200, path)
        self.assertTrue(ctype.startswith(DOCX_MIME) or data[:2] == b"PK", f"{path}: {ctype} {data[:40]!r}")
        self.assertEqual(data[:2], b"PK", "a DOCX is a zip file")
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            xml = z.read("word/document.xml").decode("utf-8")
        return re.sub(r"<[^>]+>", "", xml)

    def letters(self):
        """The letters offered for download on the citizen's request page: title → href."""
        out = {}
        for a in self.d.find_elements(By.CSS_SELECTOR, "a[href*='/letters/']"):
            m = re.match(r"下载《(.+)》", a.text.strip())
            if m:
                out[m.group(1)] = urllib.parse.urlparse(a.get_attribute("href")).path
        return out

    # ------------------------------------------------------------------ the journey

    def test_apply_correct_extend_partial_reply_report(self):
        self.staff = driver(1366, 900)
        self.addCleanup(self.staff.quit)
        year = shanghai_year()
        phone = "139" + "".join(random.choice("0123456789") for _ in range(8))
        tag = f"{random.randrange(16**6):06x}"
        description = f"申请公开本市老旧小区改造项目的资金安排情况（{tag}）"

        # The annual-report figures of 住建局 for this year, before.
        d = self.staff_as("zjj_head")
        d.get(f"{BASE}/disclosure/report?year={year}")
        sel = Select(d.find_element(By.NAME, "org"))
        zjj = next(o.get_attribute("value") for o in sel.options if option_text(o) == UNIT)
        before = self.open_report(d, zjj, year)
        partial_total = ("concluded", "partial", None)
        partial_natural = ("concluded", "partial", "natural")
        received_total = ("received", None, None)
        for k in (partial_total, partial_natural, received_total):
            self.assertIn(k, before, f"the report has the figure {k}")

        # 1. The citizen, on a phone, opens 政务公开 and applies: the portal asks for the phone first.
        self.go("/portal/disclosure")
        wait_in(self.d, "申请政府信息公开")
        self.shot("disclosure-01-portal-home")
        submit(self.d, self.d.find_element(By.PARTIAL_LINK_TEXT, "申请政府信息公开"))
        self.wait_text("验证手机号")
        self.assertIn("/portal/login", self.d.current_url)
        self.d.find_element(By.NAME, "phone").send_keys(phone)
        submit(self.d, self.d.find_element(By.CSS_SELECTOR, "form button[type=submit]"))
        self.wait_text("验证码已发送")
        code = re.search(r"本次验证码是 (\d{6})", self.text()).group(1)
        self.d.find_element(By.NAME, "code").send_keys(code)
        self.shot("disclosure-02-code")
        submit(self.d, self.d.find_element(By.CSS_SELECTOR, "form button[type=submit]"))
        self.wait_text("需要哪些政府信息")
        self.assertTrue(self.d.current_url.endswith("/portal/disclosure/apply"), self.d.current_url)
        self.assertIn(phone[:3] + "****" + phone[-4:], self.text(), "the form names the verified phone, masked")
        self.assertEqual(self.choose("org_id", UNIT), zjj)
        self.assertEqual(Select(self.d.find_element(By.NAME, "applicant_type")).first_selected_option.get_attribute("value"), "natural")
        self.d.find_element(By.NAME, "applicant_name").send_keys("林晓雨")
        self.d.find_element(By.NAME, "id_number").send_keys("110101199003078515")
        self.d.find_element(By.NAME, "description").send_keys(description)
        self.d.find_element(By.NAME, "email").send_keys("linxy@example.com")
        self.shot("disclosure-03-apply-form")
        submit(self.d, self.d.find_element(By.CSS_SELECTOR, "form button.primary[type=submit]"))
        self.wait_text("申请已提交")
        self.assertFalse(self.d.find_elements(By.CSS_SELECTOR, ".errors"), "the application is accepted")
        case_no = self.d.find_element(By.CSS_SELECTOR, ".ticket-no").text.strip()
        self.assertRegex(case_no, rf"依申〔{year}〕\d+号$")
        self.assertIn(f"编号 {case_no}", self.d.find_element(By.CSS_SELECTOR, ".flash.ok").text)
        portal_url = self.d.current_url
        self.assertRegex(portal_url, r"/portal/disclosure/requests/\d+$")
        case_id = portal_url.rsplit("/", 1)[1]
        text = self.text()
        self.assertIn("已登记", text)
        self.assertIn(UNIT, text)
        self.assertIn(description, text)
        self.shot("disclosure-04-applied")

        # 2. 住建局 finds the application in its list, opens it and asks for a 补正.
        d = self.staff_as("zjj_staff")
        d.get(BASE + "/disclosure/requests")
        d.find_element(By.NAME, "q").send_keys(case_no)
        # 受理机关 stays at “全部”: the form then sends org=, which must filter nothing.
        submit(d, d.find_element(By.CSS_SELECTOR, "form.filters button[type=submit]"))
        wait_in(d, "依申请公开")
        row = next(tr for tr in d.find_elements(By.CSS_SELECTOR, "main table tbody tr") if case_no in tr.text)
        self.assertIn("已登记", row.text)
        self.assertIn("自然人", row.text)
        self.assertIn("林**", row.text, "the applicant's name is masked in the list")
        submit(d, row.find_element(By.LINK_TEXT, case_no))
        wait_in(d, "办理过程")
        self.assertTrue(d.current_url.endswith(f"/disclosure/requests/{case_id}"), d.current_url)
        self.assertIn("林晓雨", body(d))
        self.assertIn(description, body(d))
        self.staff_shot("disclosure-05-staff-request")
        items = "请写明需要哪些小区（小区名称或所在街道）以及资金安排的年度。"
        self.step(d, "补正告知", lambda det: det.find_element(By.NAME, "correction_items").send_keys(items),
                  expect="申请现为“待补正”")
        self.assertIn("待补正", d.find_element(By.CSS_SELECTOR, ".record-head").text)
        self.assertIn("补正告知书（DOCX）", body(d))
        self.assertIn("补正告知", d.find_element(By.CSS_SELECTOR, "ul.timeline").text)
        self.assertIn("钱安居", d.find_element(By.CSS_SELECTOR, "ul.timeline").text)
        self.staff_shot("disclosure-06-staff-correction-asked")

        # 3. The citizen completes the 补正 on their request page.
        self.go("/portal/disclosure/mine")
        self.wait_text(case_no)
        tile = next(a for a in self.d.find_elements(By.CSS_SELECTOR, "a.tile") if case_no in a.text)
        self.assertIn("待补正", tile.text)
        submit(self.d, tile)
        self.wait_text("请补正")
        self.assertIn(items, self.text())
        self.assertIn("补正告知书", self.letters())
        form = self.d.find_element(By.CSS_SELECTOR, "form[action$='/step/correct']")
        form.find_element(By.NAME, "correction_text").send_keys("需要东湖镇幸福里小区、安居苑小区2025年度老旧小区改造的资金安排。")
        self.shot("disclosure-07-portal-correction")
        submit(self.d, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
        self.wait_text("已提交补正")
        self.assertEqual(self.d.find_element(By.TAG_NAME, "h1").text.strip(), "办理中")
        self.assertFalse(self.d.find_elements(By.CSS_SELECTOR, "form[action$='/step/correct']"), "a 补正 is made once")

        # 4. The unit asks for an extension with its reason; the head approves it.
        d.get(f"{BASE}/disclosure/requests/{case_id}")
        wait_in(d, "申请人补正")
        self.assertIn("幸福里小区", body(d))
        due_before = self.due_on(d)
        reason = "涉及多个小区和多个年度的资金档案，需要会同财政部门检索核实。"

        def ask_extension(det):
            det.find_element(By.NAME, "days").send_keys("10")
            det.find_element(By.NAME, "reason").send_keys(reason)

        self.step(d, "申请延长答复期限", ask_extension, expect="申请现为“延期待批”")
        self.assertIn("延期待批", d.find_element(By.CSS_SELECTOR, ".record-head").text)
        steps = [x.find_element(By.TAG_NAME, "summary").text.split("\n")[0].strip() for x in d.find_elements(By.CSS_SELECTOR, "details.step")]
        self.assertNotIn("批准延期", steps, "approving an extension is for the head (审批), not the staff member")

        d = self.staff_as("zjj_head")
        d.get(f"{BASE}/disclosure/requests/{case_id}")
        wait_in(d, "延期待批")
        self.assertIn(reason, d.find_element(By.CSS_SELECTOR, "ul.timeline").text, "the reason is on the timeline")
        approve = next(x for x in d.find_elements(By.CSS_SELECTOR, "details.step") if x.text.startswith("批准延期"))
        self.assertEqual(approve.find_element(By.NAME, "days").get_attribute("value"), "10", "the days asked are proposed")
        self.staff_shot("disclosure-08-head-extension")
        self.step(d, "批准延期", expect="申请现为“办理中”")
        self.assertIn("已延长 10 个工作日", body(d))
        due_after = self.due_on(d)
        self.assertGreater(due_after, due_before, "the deadline moved")
        self.assertIn("延长答复期限告知书（DOCX）", body(d))
        self.assertIn("赵建国", d.find_element(By.CSS_SELECTOR, "ul.timeline").text)

        # The citizen is told of the extension.
        self.d.get(portal_url)
        self.wait_text("已延长 10 个工作日")
        self.assertIn(due_after, self.text())
        ext = self.docx_text(self.letters()["延长答复期限告知书"])
        self.assertIn("延长10个工作日", ext)
        self.assertIn(case_no, ext)

        # 5. The unit replies: 部分公开, with its reason.
        d = self.staff_as("zjj_staff")
        d.get(f"{BASE}/disclosure/requests/{case_id}")
        wait_in(d, "办理过程")
        why = "其中涉及施工企业商业秘密的合同单价部分不予公开。"
        reply = "现提供幸福里小区、安居苑小区2025年度改造资金安排表（已删除不予公开的内容）。"

        # The information itself goes with the reply (条例 Art. 36): a file the unit uploads.
        info = f"%PDF-1.4\n% 老旧小区改造资金安排表 {tag}\n%%EOF\n".encode()
        info_name = "幸福里安居苑改造资金安排表.pdf"
        info_path = os.path.join(tempfile.mkdtemp(), info_name)
        with open(info_path, "wb") as f:
            f.write(info)

        # Without the information the reply is refused, with its article.
        det = next(x for x in d.find_elements(By.CSS_SELECTOR, "details.step") if x.text.startswith("答复"))
        det.find_element(By.TAG_NAME, "summary").click() if det.get_attribute("open") is None else None
        labels = [o.text.strip() for o in Select(det.find_element(By.NAME, "outcome")).options]
        self.assertIn("部分公开", labels, "choices read as decisions")
        self.assertIn("不予公开：涉及国家秘密（第十四条）", labels)
        self.assertFalse([x for x in labels if x.startswith("（")], f"no report rows among the choices: {labels}")
        Select(det.find_element(By.NAME, "outcome")).select_by_value("partial")
        det.find_element(By.NAME, "outcome_reason").send_keys(why)
        det.find_element(By.NAME, "reply_text").send_keys(reply)
        submit(d, det.find_element(By.CSS_SELECTOR, "button[type=submit]"))
        wait_in(d, "应当向申请人提供所申请的政府信息")
        self.assertIn("第三十六条", body(d))
        err = d.find_element(By.CSS_SELECTOR, ".field.bad")
        d.execute_script("arguments[0].scrollIntoView(); window.scrollBy(0, -200)", err)
        self.staff_shot("disclosure-09a-staff-reply-without-information")

        def answer(det):
            Select(det.find_element(By.NAME, "outcome")).select_by_value("partial")
            det.find_element(By.NAME, "outcome_reason").clear()
            det.find_element(By.NAME, "outcome_reason").send_keys(why)
            det.find_element(By.NAME, "reply_text").clear()
            det.find_element(By.NAME, "reply_text").send_keys(reply)
            det.find_element(By.NAME, "files").send_keys(info_path)
            d.execute_script("arguments[0].scrollIntoView(); window.scrollBy(0, -120)", det)
            self.staff_shot("disclosure-09-staff-reply-form")

        self.step(d, "答复", answer, expect="申请现为“已答复”")
        text = body(d)
        self.assertIn("部分公开", text)
        self.assertIn("按时", text)
        self.assertIn("政府信息公开申请答复书（DOCX）", text)
        self.staff_shot("disclosure-10-staff-replied")

        # 6. The citizen reads the reply and downloads the 答复书.
        self.go("/portal/disclosure/mine")
        self.wait_text(case_no)
        tile = next(a for a in self.d.find_elements(By.CSS_SELECTOR, "a.tile") if case_no in a.text)
        self.assertIn("已答复", tile.text)
        self.assertIn("部分公开", tile.text)
        submit(self.d, tile)
        self.wait_text("答复内容")
        text = self.text()
        self.assertEqual(self.d.find_element(By.TAG_NAME, "h1").text.strip(), "已答复")
        self.assertIn("部分公开", text)
        self.assertIn(reply, text)
        self.assertFalse(self.d.find_elements(By.CSS_SELECTOR, "form[action$='/step/withdraw']"), "a closed request cannot be withdrawn")
        letters = self.letters()
        self.assertEqual(sorted(letters), sorted(["补正告知书", "延长答复期限告知书", "政府信息公开申请答复书"]))
        self.shot("disclosure-11-portal-replied")
        # The information the reply gives: the applicant downloads the file the unit uploaded.
        card = next(c for c in self.d.find_elements(By.CSS_SELECTOR, ".card") if "向您提供的政府信息" in c.text)
        link = card.find_element(By.CSS_SELECTOR, "a[href*='/files/']")
        self.assertIn(info_name, link.text)
        self.d.execute_script("arguments[0].scrollIntoView(); window.scrollBy(0, -80)", card)
        self.shot("disclosure-11a-portal-information")
        file_path = urllib.parse.urlparse(link.get_attribute("href")).path
        status, _, data = self.fetch(file_path)
        self.assertEqual((status, data), (200, info), "the applicant gets the file as uploaded")
        with urllib.request.urlopen(BASE + file_path, timeout=20) as r:
            self.assertNotEqual(r.read(), info, "no file without the applicant's session")
        letter = self.docx_text(letters["政府信息公开申请答复书"])
        self.assertIn(case_no, letter)
        self.assertIn("林晓雨", letter)
        self.assertIn("第三十七条", letter)
        self.assertIn(why, letter)
        self.assertIn(reply, letter)
        self.assertIn(info_name, letter, "the letter lists what it gives")
        self.assertIn("示范市住房和城乡建设局", letter, "signed by the organ in full")
        self.assertIn("（印章）", letter)
        # Without the applicant's session there is no letter (the portal asks for the phone instead).
        with urllib.request.urlopen(BASE + letters["政府信息公开申请答复书"], timeout=20) as r:
            self.assertNotEqual(r.read()[:2], b"PK", "no letter without the applicant's session")

        # 7. The annual report counts the case once, in the 部分公开 row.
        d = self.staff_as("zjj_head")
        after = self.open_report(d, zjj, year)
        for k in (partial_total, partial_natural, received_total):
            self.assertEqual(after[k][0], before[k][0] + 1, f"{k}: {before[k][0]} → {after[k][0]}")
        changed = {k for k in after if after[k][0] != before.get(k, (0,))[0]}
        expected = {partial_total, partial_natural, received_total,
                    ("concluded", None, None), ("concluded", None, "natural"),
                    ("received", None, "natural")}
        self.assertEqual(changed, expected, "only the rows of this case moved")
        failing = [li.text for li in d.find_elements(By.CSS_SELECTOR, ".card ul.plain li") if "不符" in li.text and "表四" not in li.text]
        self.assertEqual(failing, [], "table 三 still balances")
        heading = d.find_element(By.XPATH, "//*[normalize-space(text())='三、收到和处理政府信息公开申请情况']")
        d.execute_script("arguments[0].scrollIntoView(); window.scrollBy(0, -90)", heading)
        self.staff_shot("disclosure-12-report")
        # The figure links to its records: our case is among them.
        d.get(after[partial_total][1])
        wait_in(d, "年度报告明细")
        self.assertIn(f"共 {after[partial_total][0]} 件", body(d))
        d.find_element(By.NAME, "q").send_keys(case_no)
        submit(d, d.find_element(By.CSS_SELECTOR, "form.filters button[type=submit]"))
        wait_in(d, case_no)
        self.assertIn("共 1 件", body(d))
        self.staff_shot("disclosure-13-report-drilldown")
