-- Whether an application's decision came within its limit (the committed one, moved by 补正,
-- the special procedures of 行政许可法 Art. 45 and an approved extension): the on-time rate
-- reads it rather than recomputing clocks that are gone once the case is closed.
ALTER TABLE svc_applications ADD COLUMN on_time BOOLEAN;
