"""Schools and institutions (RSPO): the level below the gmina (classes, teachers, exams)."""
