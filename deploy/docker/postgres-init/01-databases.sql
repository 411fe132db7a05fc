-- One database per service (each owns its data and runs its own migrations at start-up).
-- Run once by the postgres image, as POSTGRES_USER, when its data volume is first initialised.
CREATE DATABASE activateurs_registration;
CREATE DATABASE activateurs_validation;
CREATE DATABASE activateurs_directory;
CREATE DATABASE activateurs_contact_relay;
CREATE DATABASE activateurs_notifier;
