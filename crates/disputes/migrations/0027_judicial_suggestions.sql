-- 司法建议 received from the court in a suit, tracked to the agency's answer.
ALTER TABLE lit_cases ADD COLUMN suggestion_on TEXT;
ALTER TABLE lit_cases ADD COLUMN suggestion_text TEXT;
ALTER TABLE lit_cases ADD COLUMN suggestion_answered_on TEXT;
ALTER TABLE lit_cases ADD COLUMN suggestion_answer TEXT;
CREATE INDEX lit_suggestion ON lit_cases(suggestion_on);
