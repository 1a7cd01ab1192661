"""年度报告 journey: the 法治办 drafter (fzb) opens the city's report on last year drafted from
the demo data, edits the introduction (a new version, kept in the history), sees the checker
flag 存在的不足和原因 (the seed's structure lacks it), follows a figure of the preview to the
records behind it, and exports the DOCX. On a laptop and on a phone."""
import urllib.request
import zipfile
import io

from selenium.webdriver.common.by import By

from browser import BASE, BrowserTest, submit


class AnnualReportJourney(BrowserTest):
    width, height = 1366, 768

    def open_report(self):
        self.go("/annual/reports")
        self.wait_text("年度法治政府建设报告")
        self.shot("annual-register")
        submit(self.d, self.d.find_element(By.PARTIAL_LINK_TEXT, "年度法治政府建设情况报告"))
        self.wait_text("内容检查")

    def test_edit_check_preview_and_export(self):
        d = self.d
        self.login("fzb")
        self.open_report()
        url = d.current_url
        # The checker: the seed's structure has no 存在的不足和原因.
        checker = d.find_element(By.ID, "checker").text
        self.assertIn("存在的不足和原因", checker)
        self.shot("annual-report-top")
        # Edit the introduction: a new version.
        first = d.find_element(By.CSS_SELECTOR, ".ar-sec textarea")
        first.clear()
        first.send_keys("{report.year}年，我市坚持以习近平新时代中国特色社会主义思想为指导，浏览器测试修改引言。")
        submit(d, d.find_element(By.CSS_SELECTOR, ".ar-sec button[type=submit]"))
        self.wait_text("已保存（第2版）")
        self.assertIn("浏览器测试修改引言", d.find_element(By.ID, "preview").text)
        # An unknown indicator is refused beside the paragraph, nothing saved.
        first = d.find_element(By.CSS_SELECTOR, ".ar-sec textarea")
        first.send_keys("{hotline.nope}")
        submit(d, d.find_element(By.CSS_SELECTOR, ".ar-sec button[type=submit]"))
        self.wait_text("hotline.nope")
        self.shot("annual-refused")
        d.get(url)
        self.wait_text("内容检查")
        # Preview: a figure links to the records behind it.
        fig = d.find_element(By.CSS_SELECTOR, "#preview a.ar-fig")
        href = fig.get_attribute("href")
        self.assertIn("/indicators/", href)
        self.shot("annual-preview")
        submit(d, fig)
        self.wait_text("明细")
        self.assertEqual(d.current_url, href)
        self.shot("annual-drilldown")
        d.get(url)
        self.wait_text("内容检查")
        # The definition is linked from the sources table.
        self.assertTrue(d.find_elements(By.CSS_SELECTOR, "#sources a[href^='/indicators/']"))
        # The DOCX, fetched with the browser's session.
        link = d.find_element(By.PARTIAL_LINK_TEXT, "导出 DOCX").get_attribute("href")
        cookie = "; ".join(f"{c['name']}={c['value']}" for c in d.get_cookies())
        body = urllib.request.urlopen(urllib.request.Request(link, headers={"Cookie": cookie})).read()
        doc = zipfile.ZipFile(io.BytesIO(body)).read("word/document.xml").decode("utf-8")
        self.assertIn("浏览器测试修改引言", doc)
        self.assertIn("footerReference", doc)
        # The templates: the seed's structure flags its missing statutory contents.
        self.go("/annual/reports")
        submit(d, d.find_element(By.LINK_TEXT, "报告模板"))
        self.wait_text("按2020年度报告结构")
        submit(d, d.find_element(By.LINK_TEXT, "按2020年度报告结构"))
        self.wait_text("缺少规定内容")
        self.shot("annual-template")


class AnnualReportOnPhone(BrowserTest):
    width, height = 390, 844

    def test_report_reads_on_a_phone(self):
        self.login("fzb")
        self.go("/annual/reports")
        self.wait_text("年度法治政府建设报告")
        self.shot("annual-register-phone")
        submit(self.d, self.d.find_element(By.PARTIAL_LINK_TEXT, "年度法治政府建设情况报告"))
        self.wait_text("内容检查")
        self.shot("annual-report-phone")
        self.d.find_element(By.ID, "preview").location_once_scrolled_into_view
        self.shot("annual-preview-phone")
