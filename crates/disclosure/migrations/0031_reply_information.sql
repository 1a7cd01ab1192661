-- What a reply of 予以公开 or 部分公开 gives the applicant (条例 Art. 36 (一)(二), Art. 37;
-- issue 10 #12): files are the platform's attachments on the case (purpose 'disclosed'); a
-- publication already public is linked here, with the order in which the reply lists it.
CREATE TABLE disclosure_reply_publications (
    case_id BIGINT NOT NULL REFERENCES cases(id),
    publication_id BIGINT NOT NULL REFERENCES disclosure_publications(id),
    sort BIGINT NOT NULL,
    PRIMARY KEY (case_id, publication_id)
);

-- Who asked for the extension of the reply period (`user:12`, `token:3`), so that somebody
-- else approves it (Art. 33 ¶2: the head of the 公开工作机构 consents; issue 10 #15).
ALTER TABLE disclosure_requests ADD COLUMN extension_requested_by TEXT;
