"""Engines: the automated controls of Steward.

Engines are pure: data in, typed result out, no database, no globals.
"""
