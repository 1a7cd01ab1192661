"""Hotline staff journeys (issue 10 #20): the dispatcher dispatches two tickets in one batch and
reads the result per ticket; the unit signs for them in one batch; its staff reads the caller's
address whole (a logged duty look), adds a photo that shows as a thumbnail linking to the full
image, sees the due date on every row, and prints the 工单办理单 — at 1366 wide and on a phone."""
import os
import re
import struct
import tempfile
import zlib

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from browser import BrowserTest, submit

def png_2x2():
    """A 2×2 PNG (red, green / blue, white): a photo as small as a photo can be."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    rows = b"\x00\xff\x00\x00\x00\xff\x00" + b"\x00\x00\x00\xff\xff\xff\xff"
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


class HotlineStaffJourney(BrowserTest):
    def batch(self, action, ids):
        for i in ids:
            box = self.d.find_element(By.CSS_SELECTOR, f"input[name=ids][value^='{i}:']")
            if not box.is_selected():
                box.click()
        submit(self.d, self.d.find_element(By.CSS_SELECTOR, f"form#batch button[value={action}]"))

    def test_batch_dispatch_sign_address_photo_and_work_order(self):
        # The dispatcher's queue: every row with its due-date column, checkboxes, the batch bar.
        self.login("dispatcher")
        self.go("/hotline/queue/dispatch")
        self.wait_text("批量派单")
        self.shot("hotline-staff-01-dispatch-queue")
        boxes = self.d.find_elements(By.CSS_SELECTOR, "input[name=ids]")
        self.assertGreaterEqual(len(boxes), 2, "tickets waiting for dispatch")
        ids = [b.get_attribute("value").split(":")[0] for b in boxes[:2]]
        Select(self.d.find_element(By.ID, "batch-org")).select_by_visible_text("市住房和城乡建设局")
        self.batch("dispatch", ids)
        self.wait_text("批量派单结果")
        body = self.text()
        self.assertIn("成功 2 件", body)
        self.assertIn("派至市住房和城乡建设局", body)
        self.assertIn("办理期限", body, "each ticket says its due date")
        self.shot("hotline-staff-02-dispatch-result")
        self.logout()

        # The unit signs for both in one batch from its sign-for queue.
        self.login("zjj_staff")
        self.go("/hotline/queue/sign")
        self.wait_text("批量签收")
        rows = self.d.find_elements(By.CSS_SELECTOR, "main table tbody tr")
        dated = [r for r in rows if re.search(r"\d{4}-\d{2}-\d{2}\s*$", r.text.split("\n")[-1] if r.text else "")]
        self.assertTrue(dated, "rows show their due date")
        self.shot("hotline-staff-03-sign-queue")
        self.batch("sign", ids)
        self.wait_text("批量签收结果")
        self.assertIn("成功 2 件", self.text())
        self.shot("hotline-staff-04-sign-result")

        # The ticket: the whole address for the unit that handles it, marked as a logged look.
        self.go(f"/hotline/tickets/{ids[0]}")
        self.wait_text("办理过程")
        place = self.d.find_element(By.XPATH, "//dt[.='地点']/following-sibling::dd[1]").text
        self.assertNotIn("****", place, "nothing of the address is hidden from the unit that goes there")
        # A photo from the site, as a note's attachment: a thumbnail that opens the full image.
        path = os.path.join(tempfile.mkdtemp(), "现场照片.png")
        with open(path, "wb") as f:
            f.write(png_2x2())
        det = self.d.find_element(By.XPATH, "//details[summary[contains(., '添加办理记录')]]")
        if det.get_attribute("open") is None:
            det.find_element(By.TAG_NAME, "summary").click()
        det.find_element(By.ID, "note-text").send_keys("已到现场查看，照片附后")
        det.find_element(By.ID, "note-files").send_keys(path)
        submit(self.d, det.find_element(By.CSS_SELECTOR, "button[type=submit]"))
        self.wait_text("已添加记录")
        thumb = self.d.find_element(By.CSS_SELECTOR, "ul.attachments a.thumb img")
        loaded = self.d.execute_script("return arguments[0].complete && arguments[0].naturalWidth", thumb)
        self.assertEqual(loaded, 2, "the thumbnail loads under the CSP")
        href = self.d.find_element(By.CSS_SELECTOR, "ul.attachments a.thumb").get_attribute("href")
        self.assertRegex(href, r"/files/\d+$", "it links to the full image")
        self.shot("hotline-staff-05-ticket")

        # The 工单办理单, printable.
        self.go(f"/hotline/tickets/{ids[0]}/print")
        self.wait_text("工单办理单")
        body = self.text()
        for part in ["工单编号", "派单与办理经过", "承办人（签字）", "办理期限", "市住房和城乡建设局"]:
            self.assertIn(part, body)
        self.shot("hotline-staff-06-work-order")

        # On a phone: the queue, the ticket and the sheet still read.
        self.d.set_window_size(390, 844)
        self.go("/hotline/tickets?state=handling")
        self.shot("hotline-staff-07-list-phone")
        self.go(f"/hotline/tickets/{ids[0]}")
        self.wait_text("办理过程")
        self.shot("hotline-staff-08-ticket-phone")
        self.go(f"/hotline/tickets/{ids[0]}/print")
        self.wait_text("工单办理单")
        overflow = self.d.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
        self.assertLessEqual(overflow, 0, "the sheet fits the phone's width")
        self.shot("hotline-staff-09-work-order-phone")
