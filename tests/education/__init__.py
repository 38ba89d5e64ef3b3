"""Tests of the education layer: schools, exams, population by age."""
