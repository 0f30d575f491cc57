"""Study checks (timed quizzes on a document) and bài thu hoạch (written reflections)."""
