"""Cross-service suites: end-to-end flows and fault injection, and the fixtures every suite shares."""
