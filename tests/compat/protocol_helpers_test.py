#!/usr/bin/python3
"""The AWS-like device's encodings, checked against the protocol document's
own examples (not against Otter's code)."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import aws_like_device as device  # noqa: E402


class Encodings(unittest.TestCase):
    def test_client_token_counter_prints_empty_when_zero(self):
        self.assertEqual(device.client_token(0, "MY-IOT-OTA-Device"), ":MY-IOT-OTA-Device")
        self.assertEqual(device.client_token(3, "T"), "3:T")

    def test_bitmap_is_lsb_first_one_bit_per_block(self):
        self.assertEqual(device.bitmap_bytes({0}, 8), b"\x01")
        self.assertEqual(device.bitmap_bytes({7, 8}, 9), b"\x80\x01")
        self.assertEqual(device.bitmap_bytes(set(range(74)), 74), b"\xff" * 9 + b"\x03")

    def test_versions_use_aws_encoding_and_spelling(self):
        v = device.parse_version("0.9.3")
        self.assertEqual(v, 0x00090003)
        self.assertEqual(device.version_hex(device.parse_version("0.9.2")), "0x00090002")
        self.assertEqual(device.version_text(v), "  v0.9.3")
        self.assertRaises(ValueError, device.parse_version, "1.2")
        self.assertRaises(ValueError, device.parse_version, "256.0.0")

    def test_status_json_has_no_blanks(self):
        self.assertEqual(device.compact({"status": "IN_PROGRESS", "statusDetails": {"receive": "25/74"}}),
                         '{"status":"IN_PROGRESS","statusDetails":{"receive":"25/74"}}')


if __name__ == "__main__":
    unittest.main()
