"""RabbitMQ topology, transactional outbox and its relay, inbox, and consumer helpers."""
