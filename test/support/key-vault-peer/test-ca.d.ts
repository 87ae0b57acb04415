/** Where the test CA certificate lives: the value NODE_EXTRA_CA_CERTS must have when a test process starts. */
export declare const TEST_CA_CERT_PATH: string;

export interface TestCaFiles {
  caCertPath: string;
  serverKeyPath: string;
  serverCertPath: string;
}

/** Creates the CA and a server certificate for 127.0.0.1 / ::1 / localhost unless current ones exist. */
export declare function ensureTestCa(): TestCaFiles;
