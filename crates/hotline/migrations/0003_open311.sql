-- Open311 GeoReport v2 reads the hotline by time: requests by received time (newest first)
-- and public updates by event time. Without these, the public endpoints would scan.
CREATE INDEX hotline_tickets_received_at ON hotline_tickets(received_at);
CREATE INDEX events_entity_at ON events(entity, at);
